#include "cli/run_record.h"

#include <stdexcept>

#include "util/file_io.h"

namespace tinynas::cli {
namespace {

constexpr int kFormat = 1;

nlohmann::json stage_json(const StageRecord& s) {
  return {{"name", s.name},       {"status", s.status},
          {"share", s.share},     {"allowance_s", s.allowance_s},
          {"seconds", s.seconds}, {"plan", s.plan},
          {"result", s.result}};
}

}  // namespace

double RunRecord::spent_s() const {
  double s = 0;
  for (const StageRecord& stage : stages) s += stage.seconds;
  return s;
}

StageRecord& RunRecord::stage(const std::string& name) {
  return const_cast<StageRecord&>(static_cast<const RunRecord&>(*this).stage(name));
}

const StageRecord& RunRecord::stage(const std::string& name) const {
  for (const StageRecord& s : stages)
    if (s.name == name) return s;
  throw std::logic_error("run record has no stage '" + name + "'");
}

RunRecord new_run_record(nlohmann::json settings, double budget_s,
                         const std::vector<pipeline::StageShare>& stages) {
  RunRecord r;
  r.settings = std::move(settings);
  r.budget_s = budget_s;
  r.measured = nlohmann::json::object();
  for (const pipeline::StageShare& s : stages) {
    StageRecord stage;
    stage.name = s.name;
    stage.share = s.share;
    stage.plan = nlohmann::json::object();
    stage.result = nlohmann::json::object();
    r.stages.push_back(stage);
  }
  return r;
}

RunRecord load_run_record(const std::string& path) {
  const std::optional<std::string> text = util::read_file(path);
  if (!text) throw std::invalid_argument("cannot read the run record " + path);
  try {
    const nlohmann::json j = nlohmann::json::parse(*text);
    if (j.at("format").get<int>() != kFormat)
      throw std::invalid_argument("format " + j.at("format").dump() + ", expected " +
                                  std::to_string(kFormat));
    RunRecord r;
    r.settings = j.at("settings");
    r.budget_s = j.at("budget_s").get<double>();
    r.measured = j.at("measured");
    for (const nlohmann::json& s : j.at("stages")) {
      StageRecord stage;
      stage.name = s.at("name").get<std::string>();
      stage.status = s.at("status").get<std::string>();
      if (stage.status != "pending" && stage.status != "running" && stage.status != "done")
        throw std::invalid_argument("stage '" + stage.name + "' has status '" + stage.status + "'");
      stage.share = s.at("share").get<double>();
      stage.allowance_s = s.at("allowance_s").get<double>();
      stage.seconds = s.at("seconds").get<double>();
      stage.plan = s.at("plan");
      stage.result = s.at("result");
      r.stages.push_back(stage);
    }
    if (!r.settings.is_object() || !(r.budget_s > 0) || r.stages.empty())
      throw std::invalid_argument("settings, budget_s or stages missing");
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument("the run record " + path + " is corrupt: " + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("the run record " + path + " is corrupt: " + e.what());
  }
}

void save_run_record(const std::string& path, const RunRecord& r) {
  nlohmann::json stages = nlohmann::json::array();
  for (const StageRecord& s : r.stages) stages.push_back(stage_json(s));
  const nlohmann::json j = {{"format", kFormat},      {"budget_s", r.budget_s},
                            {"spent_s", r.spent_s()}, {"measured", r.measured},
                            {"settings", r.settings}, {"stages", stages}};
  util::write_file_atomically(path, j.dump(2) + "\n");
}

}  // namespace tinynas::cli
