# Sources and tests of src/report/.
