# Fuzz targets (see faultline_fuzz in the top-level CMakeLists.txt).
