# Sources and tests of src/composer/.
