#include "gateway/metrics.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace mfigw::gateway {
namespace {

std::vector<std::string_view> splitLabels(std::string_view labels) {
  std::vector<std::string_view> out;
  while (!labels.empty()) {
    const auto comma = labels.find(',');
    out.push_back(labels.substr(0, comma));
    if (comma == std::string_view::npos) {
      break;
    }
    labels.remove_prefix(comma + 1);
  }
  return out;
}

const std::vector<MetricDesc>& table() {
  static const std::vector<MetricDesc> kTable = {
#define MFIGW_METRIC_DESC(id, name, type, help, labels) \
  MetricDesc{MetricId::id, name, MetricType::type, help, splitLabels(labels)},
      MFIGW_METRIC_TABLE(MFIGW_METRIC_DESC)
#undef MFIGW_METRIC_DESC
  };
  return kTable;
}

// Integral values print as integers (timestamps, byte counts stay readable); anything else
// uses the shortest representation that round-trips. Prometheus spells the specials
// NaN, +Inf and -Inf.
std::string formatValue(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (std::fabs(v) < kExactIntegers && v == std::trunc(v)) {
    return fmt::format("{}", static_cast<std::int64_t>(v));
  }
  return fmt::format("{}", v);
}

}  // namespace

std::string_view toString(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
  }
  return "unknown";
}

std::span<const MetricDesc> metricTable() {
  return table();
}

const MetricDesc& describe(MetricId id) {
  return table().at(static_cast<std::size_t>(id));
}

std::string_view toString(MetricId id) {
  return describe(id).name;
}

std::string renderMetricsMarkdown() {
  std::string out =
      "# Metrics\n\n"
      "<!-- Generated from gateway/metrics.hpp (MFIGW_METRIC_TABLE); do not edit. -->\n\n"
      "`GET /metrics` on the admin port serves these in the Prometheus text format 0.0.4.\n"
      "It needs the admin bearer token (see docs/admin-api.md).\n\n"
      "| name | type | labels | help |\n|---|---|---|---|\n";
  // fmt rather than chained operator+: g++ 12 -O3 raises a false -Wrestrict on the latter.
  for (const MetricDesc& m : table()) {
    std::string labels;
    for (const std::string_view label : m.labels) {
      labels += fmt::format("{}`{}`", labels.empty() ? "" : ", ", label);
    }
    out += fmt::format("| `{}` | {} | {} | {} |\n", m.name, toString(m.type), labels, m.help);
  }
  return out;
}

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Metrics::Metrics() : families_(table().size()) {
  // Unlabelled metrics get their single series now, so a scrape shows them from the start.
  for (const MetricDesc& desc : table()) {
    if (desc.labels.empty()) {
      families_[static_cast<std::size_t>(desc.id)].emplace(std::vector<std::string>{},
                                                           std::make_unique<Series>());
    }
  }
}

Metrics::~Metrics() = default;

Metrics::Series& Metrics::series(MetricId id, MetricType expected,
                                 std::initializer_list<std::string_view> labels) {
  const MetricDesc& desc = describe(id);
  if (desc.type != expected) {
    throw std::logic_error(fmt::format("metric {} is a {}, not a {}", desc.name,
                                       toString(desc.type), toString(expected)));
  }
  if (labels.size() != desc.labels.size()) {
    throw std::logic_error(fmt::format("metric {} takes {} label values, got {}", desc.name,
                                       desc.labels.size(), labels.size()));
  }
  std::vector<std::string> key(labels.begin(), labels.end());
  const std::lock_guard lock(mutex_);
  auto& family = families_[static_cast<std::size_t>(id)];
  auto it = family.find(key);
  if (it == family.end()) {
    it = family.emplace(std::move(key), std::make_unique<Series>()).first;
  }
  return *it->second;
}

Counter& Metrics::counter(MetricId id, std::initializer_list<std::string_view> labelValues) {
  return series(id, MetricType::Counter, labelValues).counter;
}

Gauge& Metrics::gauge(MetricId id, std::initializer_list<std::string_view> labelValues) {
  return series(id, MetricType::Gauge, labelValues).gauge;
}

std::string Metrics::renderPrometheus() const {
  std::string out;
  out.reserve(4096);
  const std::lock_guard lock(mutex_);
  for (const MetricDesc& desc : table()) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", desc.name,
                   escapeHelp(desc.help), desc.name, toString(desc.type));
    for (const auto& [labelValues, s] : families_[static_cast<std::size_t>(desc.id)]) {
      out += desc.name;
      if (!labelValues.empty()) {
        out += '{';
        for (std::size_t i = 0; i < labelValues.size(); ++i) {
          fmt::format_to(std::back_inserter(out), "{}{}=\"{}\"", i == 0 ? "" : ",", desc.labels[i],
                         escapeLabelValue(labelValues[i]));
        }
        out += '}';
      }
      out += ' ';
      out += desc.type == MetricType::Counter ? fmt::format("{}", s->counter.value())
                                              : formatValue(s->gauge.value());
      out += '\n';
    }
  }
  return out;
}

}  // namespace mfigw::gateway
