# Sources and tests of src/sdk/.
