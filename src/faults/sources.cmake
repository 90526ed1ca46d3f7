# Sources and tests of src/faults/.
