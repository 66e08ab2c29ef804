#include "cli/run_report.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "cli/plots.h"
#include "nas/arch.h"
#include "util/byte_size.h"
#include "util/duration.h"
#include "util/file_io.h"

namespace tinynas::cli {
namespace {

namespace fs = std::filesystem;

std::optional<nlohmann::json> read_json(const std::string& path) {
  const std::optional<std::string> text = util::read_file(path);
  if (!text) return std::nullopt;
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// The rows of a CSV file with a header line, as column -> text.
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  std::vector<std::map<std::string, std::string>> rows;
  const std::optional<std::string> text = util::read_file(path);
  if (!text) return rows;
  std::istringstream in(*text);
  std::string line;
  std::vector<std::string> header;
  const auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::stringstream s(l);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    return cells;
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

double number(const std::map<std::string, std::string>& row, const std::string& key) {
  const auto it = row.find(key);
  if (it == row.end()) return -1;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return -1;
  }
}

std::string fixed(double v, int digits = 2) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string percent(const nlohmann::json& j) {
  if (!j.is_number() || j.get<double>() < 0) return "-";
  return fixed(j.get<double>()) + " %";
}

std::string top1_of(const nlohmann::json& evaluation) {
  if (!evaluation.is_object() || !evaluation.contains("top1") || evaluation.value("images", 0) == 0)
    return "-";
  return percent(evaluation.at("top1"));
}

// Text for a markdown table cell: arch summaries separate their stages with '|'.
std::string table_cell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

void stages_section(std::ostream& md, const RunRecord& record) {
  md << "## Stages\n\n| stage | status | planned | took | plan |\n|---|---|---|---|---|\n";
  for (const StageRecord& s : record.stages)
    md << "| " << s.name << " | " << s.status << " | " << util::format_duration(s.allowance_s)
       << " | " << util::format_duration(s.seconds) << " | "
       << (s.plan.empty() ? std::string("") : table_cell(s.plan.dump())) << " |\n";
  md << "\nBudget " << util::format_duration(record.budget_s) << ", spent "
     << util::format_duration(record.spent_s())
     << " (the report stage not included; an attempt killed before its stage finished is not "
        "counted). The plan is made once, from the training rate measured when the supernet "
        "stage starts (docs/run.md).\n\n";
}

void space_section(std::ostream& md, const RunRecord& record, const std::string& dir) {
  md << "## Sub-space\n\n";
  const std::optional<nlohmann::json> result = read_json(dir + "/space/result.json");
  if (!result) {
    md << "Not chosen yet.\n\n";
    return;
  }
  const nlohmann::json& space = result->at("space");
  md << "The space optimiser ranked the (resolution, width) sub-spaces of `"
     << space.value("name", "?") << "` by the FLOPs distribution of their sub-nets that fit, and "
     << "chose R" << space.value("resolution", 0) << " W" << space.value("width_mult", 0.0)
     << " (space/space_ranking.csv; space/flops_cdf.png).\n\n";
  if (fs::exists(dir + "/space/flops_cdf.png")) md << "![FLOPs CDF](space/flops_cdf.png)\n\n";
  const nlohmann::json& stage = record.stage("space").result;
  if (!stage.contains("trim")) return;
  const nlohmann::json& trim = stage.at("trim");
  char fits[160];
  std::snprintf(fits, sizeof fits,
                "%.1f %% of its sub-nets fit the limits, where %.1f %% of the whole space's do",
                100 * trim.value("fitting_after", 0.0), 100 * trim.value("fitting_before", 0.0));
  md << "The supernet trains that space cut to the options the sub-nets that fit use (space/"
        "space.json): "
     << fits << ". Removed:\n\n";
  for (const auto& line : trim.at("removed")) md << "- " << line.get<std::string>() << "\n";
  if (trim.at("removed").empty()) md << "- nothing\n";
  md << "\n";
}

CurveSeries curve(const std::string& csv, const std::string& column, const std::string& label) {
  CurveSeries s{label, {}};
  for (const auto& row : read_csv(csv))
    if (const double v = number(row, column); v >= 0) s.top1.push_back(v);
  return s;
}

void training_section(std::ostream& md, const std::string& dir) {
  md << "## Training\n\n";
  const std::string supernet_log = dir + "/supernet/train_log.csv";
  const std::vector<CurveSeries> series = {
      curve(supernet_log, "top1_largest", "supernet: largest sub-net"),
      curve(supernet_log, "top1_smallest", "supernet: smallest sub-net"),
      curve(dir + "/finetune/train_log.csv", "top1_subnet", "winner: fine-tuned"),
      curve(dir + "/scratch/train_log.csv", "top1_subnet", "winner: from scratch")};
  const std::vector<std::map<std::string, std::string>> rows = read_csv(supernet_log);
  if (rows.empty()) {
    md << "The supernet has not trained yet.\n\n";
    return;
  }
  md << "Supernet, per epoch (top-1 on test images after BN re-calibration):\n\n"
     << "| phase | epoch | loss | largest | smallest | img/s |\n|---|---|---|---|---|---|\n";
  for (const auto& row : rows)
    md << "| " << row.at("phase") << " | " << row.at("epoch") << " | "
       << fixed(number(row, "loss"), 3) << " | " << fixed(number(row, "top1_largest")) << " | "
       << fixed(number(row, "top1_smallest")) << " | " << fixed(number(row, "images_per_s"), 1)
       << " |\n";
  md << "\n";
  const PlotResult plot = plot_training_curves(dir, series, "top-1 per epoch");
  if (plot.ok) md << "![training](training.png)\n\n";
}

void search_section(std::ostream& md, const std::string& dir) {
  md << "## Predictor and search\n\n";
  if (const std::optional<nlohmann::json> p = read_json(dir + "/predictor.json");
      p && p->contains("info")) {
    const nlohmann::json& info = p->at("info");
    md << "Predictor: " << info.value("measured", 0) << " sub-nets measured on "
       << info.value("validation_images", 0) << " held-out images; on its "
       << info.value("holdout_samples", 0) << " held-out sub-nets Kendall tau "
       << fixed(info.value("kendall_tau_holdout", 0.0), 3) << ", RMSE "
       << fixed(info.value("rmse_holdout", 0.0)) << " points.\n\n";
    if (fs::exists(dir + "/predictor.png")) md << "![predictor](predictor.png)\n\n";
  }
  const std::optional<nlohmann::json> r = read_json(dir + "/search/result.json");
  if (!r || !r->contains("arch")) {
    md << "The search has not run yet.\n\n";
    return;
  }
  const nlohmann::json& cost = r->at("cost");
  md << "| | MACs | SRAM arena | Flash | validation top-1 | test top-1 "
        "|\n|---|---|---|---|---|---|\n";
  const auto line = [&](const char* who, const nlohmann::json& judged) {
    const nlohmann::json& chosen = judged.at("top_k").at(judged.at("chosen").get<size_t>());
    md << "| " << who << " | " << fixed(chosen.at("macs").get<double>() / 1e6) << " M | "
       << util::format_byte_size(chosen.at("sram_bytes").get<int64_t>()) << " | "
       << util::format_byte_size(chosen.at("flash_bytes").get<int64_t>()) << " | "
       << percent(chosen.at("validation_top1")) << " | " << percent(judged.at("test_top1"))
       << " |\n";
  };
  if (r->contains("judged")) {
    line("search", r->at("judged").at("search"));
    line("random sampling", r->at("judged").at("random_baseline"));
  } else {
    md << "| search | " << fixed(cost.at("macs").get<double>() / 1e6) << " M | | | | |\n";
  }
  md << "\nBoth are the best of their top k re-measured with the supernet on the held-out "
        "images; the test split is measured once, for the chosen one.\n\n";
  if (fs::exists(dir + "/search/evolution.png"))
    md << "Evolution (predicted top-1 per generation):\n\n![evolution](search/evolution.png)\n\n";
  if (fs::exists(dir + "/search/block_memory.png"))
    md << "Peak SRAM per block of the winner, beside MobileNetV2 at the same budget:\n\n"
          "![block memory](search/block_memory.png)\n\n";
}

void winner_section(std::ostream& md, const std::string& dir) {
  md << "## The winner trained on its own\n\n";
  const std::optional<nlohmann::json> ft = read_json(dir + "/finetune/finetune.json");
  if (!ft) {
    md << "Not fine-tuned yet.\n\n";
    return;
  }
  const std::optional<nlohmann::json> sc = read_json(dir + "/scratch/finetune.json");
  md << "| weights | epochs | validation top-1 | test top-1 |\n|---|---|---|---|\n"
     << "| inherited from the supernet (BN re-calibrated) | 0 | "
     << top1_of(ft->at("inherited").at("validation")) << " | "
     << top1_of(ft->at("inherited").at("test")) << " |\n"
     << "| fine-tuned from the supernet's weights | " << ft->value("epochs", 0) << " | "
     << top1_of(ft->at("finetuned").at("validation")) << " | "
     << top1_of(ft->at("finetuned").at("test")) << " |\n";
  if (sc)
    md << "| trained from scratch, same epochs | " << sc->value("epochs", 0) << " | "
       << top1_of(sc->at("finetuned").at("validation")) << " | "
       << top1_of(sc->at("finetuned").at("test")) << " |\n";
  md << (ft->value("distill", false) ? "\nBoth distilled from the supernet's full network"
                                     : "\nNo distillation")
     << "; the exported model is the fine-tuned one.\n\n";
}

void int8_section(std::ostream& md, const std::string& dir) {
  md << "## int8\n\n";
  const std::optional<nlohmann::json> a = read_json(dir + "/accuracy.json");
  if (!a) {
    md << "Not measured yet.\n\n";
    return;
  }
  md << "On " << a->value("images", 0) << " " << a->value("split", std::string("test"))
     << " images: int8 top-1 " << percent(a->at("int8").at("top1"));
  if (a->at("float").is_object())
    md << ", float " << percent(a->at("float").at("top1")) << " ("
       << fixed(a->at("difference_points").get<double>()) << " points)";
  md << ". The int8 engine is the generated C of model/, compiled for the host.\n\n";
  const std::vector<std::map<std::string, std::string>> rows =
      read_csv(dir + "/profile/profile.csv");
  if (rows.empty()) return;
  double macs = 0, instructions = 0;
  for (const auto& row : rows) {
    macs += number(row, "macs");
    instructions += number(row, "instructions");
  }
  md << "On QEMU: " << fixed(instructions / 1e6) << " M instructions per inference for "
     << fixed(macs / 1e6) << " M MACs (" << fixed(instructions / std::max(1.0, macs))
     << " per MAC); per layer in profile/profile.csv.\n\n";
  if (fs::exists(dir + "/profile/profile.png")) md << "![profile](profile/profile.png)\n\n";
}

// Instructions per inference on QEMU: the sum of a profile's layers (-1 without one).
double profiled_instructions(const std::string& csv) {
  const std::vector<std::map<std::string, std::string>> rows = read_csv(csv);
  if (rows.empty()) return -1;
  double instructions = 0;
  for (const auto& row : rows) instructions += number(row, "instructions");
  return instructions;
}

void comparison_row(std::ostream& md, const std::string& who, const std::string& arch, double macs,
                    int64_t sram, int64_t flash, const nlohmann::json& float_test,
                    const std::optional<nlohmann::json>& accuracy, double instructions) {
  md << "| " << who << " | " << table_cell(arch) << " | " << fixed(macs / 1e6) << " M | "
     << util::format_byte_size(sram) << " | " << util::format_byte_size(flash) << " | "
     << top1_of(float_test) << " | "
     << (accuracy ? percent(accuracy->at("int8").at("top1")) : std::string("-")) << " | "
     << (instructions < 0 ? std::string("-") : fixed(instructions / 1e6)) << " |\n";
}

void baselines_section(std::ostream& md, const RunRecord& record, const std::string& dir) {
  const nlohmann::json planned = record.measured.value("baselines", nlohmann::json::array());
  if (planned.empty()) return;
  md << "## The winner against hand-designed baselines\n\n"
     << "Each baseline is scaled to the same limits (a smaller input, then a smaller width, "
        "until it fits), trained from scratch by the same code with the fine-tuning's recipe for "
        "as long as the winner's fine-tuning took (its epochs from its own measured rate), and "
        "quantised, measured and verified like the winner. Top-1 on the test split.\n\n"
     << "| network | arch | MACs | SRAM arena | Flash | float top-1 | int8 top-1 | M instructions "
        "(QEMU) |\n|---|---|---|---|---|---|---|---|\n";
  const std::optional<nlohmann::json> search = read_json(dir + "/search/result.json");
  const std::optional<nlohmann::json> ft = read_json(dir + "/finetune/finetune.json");
  if (search && search->contains("cost") && ft) {
    const nlohmann::json& cost = search->at("cost");
    comparison_row(md, "search winner", nas::arch_from_json(search->at("arch"), "search").summary(),
                   cost.at("macs").get<double>(), cost.value("sram_bytes", int64_t{0}),
                   cost.value("flash_bytes", int64_t{0}), ft->at("finetuned").at("test"),
                   read_json(dir + "/accuracy.json"),
                   profiled_instructions(dir + "/profile/profile.csv"));
  }
  for (const nlohmann::json& b : planned) {
    const std::string name = b.at("name").get<std::string>();
    if (b.contains("skipped")) {
      md << "| " << name << " | " << table_cell(b.at("skipped").get<std::string>())
         << " | | | | | | |\n";
      continue;
    }
    const std::string base = dir + "/baselines/" + name;
    const std::optional<nlohmann::json> trained = read_json(base + "/train/finetune.json");
    comparison_row(md, name, b.value("arch", std::string("")), b.at("macs").get<double>(),
                   b.at("sram_bytes").get<int64_t>(), b.at("flash_bytes").get<int64_t>(),
                   trained ? trained->at("finetuned").at("test") : nlohmann::json(),
                   read_json(base + "/accuracy.json"),
                   profiled_instructions(base + "/profile/profile.csv"));
  }
  md << "\n";
}

}  // namespace

void write_run_report(const RunRecord& record, const std::string& run_dir,
                      const std::string& path) {
  std::ostringstream md;
  const nlohmann::json& s = record.settings;
  md << "# tinynas run\n\n"
     << "Data `" << s.at("data").value("path", std::string("?")) << "` ("
     << record.measured.value("train_images", int64_t{0}) << " training images, "
     << record.measured.value("held_out_images", int64_t{0}) << " held out), space `"
     << s.value("space", std::string("?")) << "`, board `" << s.value("board", std::string("?"))
     << "`";
  if (s.contains("sram")) md << ", SRAM " << s.at("sram").dump();
  if (s.contains("flash")) md << ", Flash " << s.at("flash").dump();
  if (!s.value("latency", std::string()).empty())
    md << ", latency at most " << s.at("latency").get<std::string>() << " (predicted)";
  md << ", seed " << s.value("seed", 0) << ".\n\n";
  stages_section(md, record);
  space_section(md, record, run_dir);
  training_section(md, run_dir);
  search_section(md, run_dir);
  winner_section(md, run_dir);
  int8_section(md, run_dir);
  baselines_section(md, record, run_dir);
  util::write_file_atomically(path, md.str());
}

}  // namespace tinynas::cli
