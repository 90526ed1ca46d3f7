# Sources and tests of src/scenario/.
