# Sources and tests of src/properties/.
