#include "td/compare.h"

#include <fmt/format.h>

#include <algorithm>

#include "td/md5.h"

namespace faultline::td {
namespace {

std::string QuoteField(const std::string& field) {
  std::string out = "\"";
  for (char c : field) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

}  // namespace

void SortRows(std::vector<Row>& rows) { std::sort(rows.begin(), rows.end()); }

std::string FormatRow(const Row& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ' ';
    const std::string& f = row[i];
    bool quote = f.empty() || f.find_first_of(" \"\t\n\r\\") != std::string::npos ||
                 f.find('\0') != std::string::npos;
    out += quote ? QuoteField(f) : f;
  }
  return out;
}

std::string HashRows(const std::vector<Row>& sorted_rows) {
  std::string all;
  for (const auto& row : sorted_rows) {
    for (const auto& f : row) all += f;
  }
  return Md5Hex(all);
}

std::vector<std::string> DiffRows(const std::vector<Row>& expected, const std::vector<Row>& actual,
                                  size_t max_lines) {
  std::vector<std::string> lines;
  size_t i = 0, j = 0, omitted = 0;
  auto add = [&](char mark, const Row& row) {
    if (lines.size() < max_lines) {
      lines.push_back(fmt::format("{} {}", mark, FormatRow(row)));
    } else {
      ++omitted;
    }
  };
  // A merge of the two sorted lists: equal rows advance both sides.
  while (i < expected.size() || j < actual.size()) {
    if (j == actual.size() || (i < expected.size() && expected[i] < actual[j])) {
      add('-', expected[i++]);
    } else if (i == expected.size() || actual[j] < expected[i]) {
      add('+', actual[j++]);
    } else {
      add(' ', expected[i]);
      ++i;
      ++j;
    }
  }
  if (omitted) lines.push_back(fmt::format("... {} more lines", omitted));
  return lines;
}

}  // namespace faultline::td
