#include "firmware/cycle_estimate.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace tinynas::firmware {
namespace {

[[noreturn]] void malformed(int line_number, const std::string& line, const std::string& why) {
  throw std::runtime_error("malformed cycle report, line " + std::to_string(line_number) + " ('" +
                           line.substr(0, 80) + "'): " + why);
}

// "key value" after the first word; throws unless `key` comes next with a number.
template <typename T>
T read_field(std::istringstream& in, const char* key, int n, const std::string& line) {
  std::string word;
  T value{};
  if (!(in >> word) || word != key || !(in >> value)) malformed(n, line, std::string("no ") + key);
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value) || value < 0) malformed(n, line, std::string("bad ") + key);
  return value;
}

}  // namespace

CycleEstimate unavailable_estimate(const std::string& why) {
  CycleEstimate e;
  e.reason = "cycle estimate unavailable: " + why;
  return e;
}

CycleEstimate parse_cycle_report(const std::string& text, int64_t layers) {
  CycleEstimate e;
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  bool header = false, ended = false, in_inference = false;
  int64_t last_insns = 0, invoke_insns = 0;
  double last_cycles = 0, invoke_cycles = 0;
  while (std::getline(lines, line)) {
    ++n;
    std::istringstream in(line);
    std::string word;
    if (!(in >> word)) continue;
    if (!header) {
      int version = 0;
      if (word != "tinynas_cycles" || !(in >> version) || version != 1)
        malformed(n, line, "expected 'tinynas_cycles 1'");
      header = true;
    } else if (word == "model") {
      std::string key;
      if (!(in >> e.model >> key >> e.core) || key != "core") malformed(n, line, "no core");
      e.branch_penalty = read_field<double>(in, "branch_penalty", n, line);
    } else if (word == "event") {
      std::string kind;
      in >> kind;
      const int64_t insns = read_field<int64_t>(in, "insns", n, line);
      const double cycles = read_field<double>(in, "cycles", n, line);
      if (insns < last_insns || cycles < last_cycles) malformed(n, line, "counters went back");
      if (kind == "invoke") {
        if (in_inference) malformed(n, line, "invoke inside an inference");
        in_inference = true;
        invoke_insns = insns;
        invoke_cycles = cycles;
        e.layer_cycles.emplace_back();
        e.layer_instructions.emplace_back();
      } else if (kind == "layer") {
        if (!in_inference) {
          last_insns = insns;  // the harness's marker calibration: not an inference
          last_cycles = cycles;
          continue;
        }
        e.layer_instructions.back().push_back(insns - last_insns);
        e.layer_cycles.back().push_back(cycles - last_cycles);
      } else if (kind == "return") {
        if (!in_inference) malformed(n, line, "return outside an inference");
        in_inference = false;
        e.inference_instructions.push_back(insns - invoke_insns);
        e.inference_cycles.push_back(cycles - invoke_cycles);
        if (layers > 0 && static_cast<int64_t>(e.layer_cycles.back().size()) != layers)
          malformed(n, line,
                    std::to_string(e.layer_cycles.back().size()) + " layer events, the model has " +
                        std::to_string(layers) + " layers");
      } else {
        malformed(n, line, "unknown event '" + kind + "'");
      }
      last_insns = insns;
      last_cycles = cycles;
    } else if (word == "total") {
      e.total_instructions = read_field<int64_t>(in, "insns", n, line);
      e.total_cycles = read_field<double>(in, "cycles", n, line);
      e.taken_branches = read_field<int64_t>(in, "taken_branches", n, line);
    } else if (word == "class") {
      std::string name;
      if (!(in >> name)) malformed(n, line, "no class name");
      e.class_instructions[name] = read_field<int64_t>(in, "insns", n, line);
    } else if (word == "end") {
      ended = true;
    } else {
      malformed(n, line, "unknown line");
    }
  }
  if (!header) throw std::runtime_error("empty cycle report (QEMU did not load the plugin?)");
  if (!ended)
    throw std::runtime_error("truncated cycle report (no 'end' line: QEMU did not exit cleanly)");
  if (e.model.empty()) throw std::runtime_error("cycle report has no model line");
  if (e.inference_cycles.empty())
    throw std::runtime_error("cycle report holds no complete inference (markers not reached)");
  // An inference opened but never returned: drop its partial layers.
  if (e.layer_cycles.size() > e.inference_cycles.size()) {
    e.layer_cycles.resize(e.inference_cycles.size());
    e.layer_instructions.resize(e.inference_cycles.size());
  }
  e.available = true;
  return e;
}

CycleEstimate read_cycle_report_file(const std::string& path, int64_t layers) {
  std::ifstream in(path);
  if (!in) return unavailable_estimate("the plugin wrote no " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse_cycle_report(text.str(), layers);
  } catch (const std::exception& e) {
    return unavailable_estimate(e.what());
  }
}

double mean_cycles(const CycleEstimate& e) {
  double sum = 0;
  for (double c : e.inference_cycles) sum += c;
  return e.inference_cycles.empty() ? 0 : sum / static_cast<double>(e.inference_cycles.size());
}

double mean_cpi(const CycleEstimate& e) {
  double insns = 0;
  for (int64_t n : e.inference_instructions) insns += static_cast<double>(n);
  double cycles = 0;
  for (double c : e.inference_cycles) cycles += c;
  return insns > 0 ? cycles / insns : 0;
}

std::vector<double> mean_layer_cycles(const CycleEstimate& e) {
  std::vector<double> mean;
  if (e.layer_cycles.empty()) return mean;
  mean.assign(e.layer_cycles.front().size(), 0.0);
  for (const std::vector<double>& run : e.layer_cycles)
    for (size_t i = 0; i < mean.size() && i < run.size(); ++i) mean[i] += run[i];
  for (double& m : mean) m /= static_cast<double>(e.layer_cycles.size());
  return mean;
}

nlohmann::json cycle_estimate_to_json(const CycleEstimate& e) {
  nlohmann::json j;
  j["available"] = e.available;
  if (!e.available) {
    j["reason"] = e.reason;
    return j;
  }
  j["model"] = e.model;
  j["core"] = e.core;
  j["branch_penalty_cycles"] = e.branch_penalty;
  j["per_inference"] = e.inference_cycles;
  j["instructions_per_inference"] = e.inference_instructions;
  j["mean"] = mean_cycles(e);
  j["cpi"] = mean_cpi(e);
  const std::vector<double> layers = mean_layer_cycles(e);
  if (!layers.empty()) j["per_layer_mean"] = layers;
  j["taken_branches"] = e.taken_branches;
  j["instruction_mix"] = e.class_instructions;
  j["note"] =
      "estimated from Arm's reference-manual timing tables on the instructions QEMU executed; no "
      "wait states, caches or (M4) dual issue; not validated on silicon";
  return j;
}

}  // namespace tinynas::firmware
