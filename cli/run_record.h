// The record of a `tinynas run` in its folder (run.json): the settings its stages run with, its
// budget, what was measured to plan it, and each stage's status, plan and time. Written
// atomically after every change, so a run killed at any moment resumes from it.
//
//   RunRecord r = new_run_record(settings_json, 9000, pipeline::run_stages(true));
//   r.stages[1].status = "running";  save_run_record("runs/x/run.json", r);
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/run_budget.h"

namespace tinynas::cli {

struct StageRecord {
  std::string name;
  std::string status = "pending";  // pending, running, done
  double share = 0;                // of the budget (pipeline/run_budget.h)
  double allowance_s = 0;          // seconds it was given when it started
  double seconds = 0;              // seconds it took (finished attempts and the last one)
  nlohmann::json plan;             // what it was planned to do (epochs, samples, ...)
  nlohmann::json result;           // what it reported (top-1, paths, ...)
};

struct RunRecord {
  nlohmann::json settings;  // the experiment settings (cli/settings.h) the stages run with
  double budget_s = 0;
  nlohmann::json measured;  // data size, training rate, as measured when the run planned
  std::vector<StageRecord> stages;

  double spent_s() const;  // seconds of the stages so far
  StageRecord& stage(const std::string& name);
  const StageRecord& stage(const std::string& name) const;
};

RunRecord new_run_record(nlohmann::json settings, double budget_s,
                         const std::vector<pipeline::StageShare>& stages);

// Throws std::invalid_argument naming the file and what is wrong when it is not a run record.
RunRecord load_run_record(const std::string& path);
void save_run_record(const std::string& path, const RunRecord& record);

}  // namespace tinynas::cli
