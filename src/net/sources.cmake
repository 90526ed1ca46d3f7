# Sources and tests of src/net/.
