# Sources and tests of src/timeline/.
