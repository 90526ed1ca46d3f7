# Sources and tests of src/run/.
