# Sources and tests of src/process/.
