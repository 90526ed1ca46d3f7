# Fuzz targets (see faultline_fuzz in the top-level CMakeLists.txt).
faultline_fuzz(sdk_line_fuzz fuzz/sdk_line_fuzz.cc)
