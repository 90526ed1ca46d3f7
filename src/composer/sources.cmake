# Sources and tests of src/composer/: templates and the Test Composer rules.
target_sources(faultline_core PRIVATE
  src/composer/composer.cc
  src/composer/templates.cc
)
faultline_test(composer_test
  src/composer/composer_test.cc
  src/composer/templates_test.cc
)
