# Sources and tests of src/topology/.
