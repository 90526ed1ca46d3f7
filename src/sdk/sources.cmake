# Sources and tests of src/sdk/: reading SDK output; the `faultline sdk` command.
target_sources(faultline_core PRIVATE
  src/sdk/file_reader.cc
  src/sdk/protocol.cc
)
faultline_test(sdk_test
  src/sdk/file_reader_test.cc
  src/sdk/protocol_test.cc
)
