// Result comparison as testdrive does it: rows compare as sorted multisets (byte order per
// field), hash lines hash every field of the sorted rows, and a mismatch is shown as a diff of
// expected (-) and actual (+) rows, each row printed the way it would be written in a .td file.
// Pure functions, any thread.
#pragma once

#include <string>
#include <vector>

#include "td/script.h"

namespace faultline::td {

// Sorts rows by their fields, byte order, as the comparison does.
void SortRows(std::vector<Row>& rows);

// One row as a .td line: fields separated by a space, a field that holds a space or a double
// quote (or is empty) written quoted with escapes.
std::string FormatRow(const Row& row);

// The MD5 over every field of `sorted_rows` concatenated with no separator.
std::string HashRows(const std::vector<Row>& sorted_rows);

// The diff of two sorted row lists: "- row" for a row only expected, "+ row" for one only
// actual, "  row" for a row in both; at most `max_lines` lines, then a line saying how many more.
std::vector<std::string> DiffRows(const std::vector<Row>& expected, const std::vector<Row>& actual,
                                  size_t max_lines = 40);

}  // namespace faultline::td
