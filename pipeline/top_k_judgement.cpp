#include "pipeline/top_k_judgement.h"

#include <cstdio>
#include <set>

namespace tinynas::pipeline {

nlohmann::json JudgedResult::to_json() const {
  nlohmann::json candidates = nlohmann::json::array();
  for (const JudgedCandidate& c : top_k)
    candidates.push_back({{"arch", nas::arch_to_json(c.candidate.arch)},
                          {"summary", c.candidate.arch.summary()},
                          {"fitness", c.candidate.fitness},
                          {"macs", c.candidate.cost.macs},
                          {"sram_bytes", c.candidate.cost.sram_bytes},
                          {"flash_bytes", c.candidate.cost.flash_bytes},
                          {"validation_top1", c.validation_top1}});
  return {{"top_k", candidates},
          {"chosen", chosen},
          {"validation_images", validation_images},
          {"test_top1", test_top1},
          {"test_images", test_images}};
}

JudgedResult judge_top_k(const std::vector<nas::Candidate>& ranked, int top_k,
                         AccuracyMeter* validation, AccuracyMeter* test,
                         const std::function<void(const std::string&)>& note) {
  JudgedResult result;
  std::set<std::string> seen;
  for (const nas::Candidate& c : ranked) {
    if (static_cast<int>(result.top_k.size()) >= top_k) break;
    if (seen.insert(nas::arch_to_json(c.arch).dump()).second) result.top_k.push_back({c, -1});
  }
  if (!validation || !test) return result;
  result.validation_images = validation->images();
  for (size_t i = 0; i < result.top_k.size(); ++i) {
    JudgedCandidate& c = result.top_k[i];
    c.validation_top1 = validation->accuracy(c.candidate.arch);
    if (c.validation_top1 > result.top_k[result.chosen].validation_top1) result.chosen = i;
    if (note) {
      char line[256];
      std::snprintf(line, sizeof line, "  %zu/%zu fitness %.2f, validation top-1 %.2f%%: %s", i + 1,
                    result.top_k.size(), c.candidate.fitness, c.validation_top1,
                    c.candidate.arch.summary().c_str());
      note(line);
    }
  }
  if (!result.top_k.empty()) {
    result.test_top1 = test->accuracy(result.top_k[result.chosen].candidate.arch);
    result.test_images = test->images();
  }
  return result;
}

}  // namespace tinynas::pipeline
