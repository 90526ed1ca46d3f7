# Sources and tests of src/properties/: timeline events in, verdicts out.
target_sources(faultline_core PRIVATE
  src/properties/property_book.cc
)
faultline_test(properties_test
  src/properties/property_book_test.cc
)
faultline_bench(property_flood bench/properties/property_flood.cc)
