# Sources and tests of src/td/.
