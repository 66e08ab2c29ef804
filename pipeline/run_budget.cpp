#include "pipeline/run_budget.h"

#include <algorithm>
#include <cmath>

namespace tinynas::pipeline {

std::vector<StageShare> run_stages(bool compare_scratch, int baselines) {
  // Training is where accuracy comes from: the supernet, and the winner's own training after the
  // search. The measuring stages get what their default sizes need on CIFAR-10 at 2h30m.
  std::vector<StageShare> s = {{"space", 0.005},    {"supernet", 0.40}, {"predictor", 0.08},
                               {"search", 0.06},    {"finetune", 0.40}, {"export", 0.01},
                               {"accuracy", 0.025}, {"verify", 0.015},  {"report", 0.005}};
  size_t next = 5;  // after finetune
  if (compare_scratch) {
    // The comparison from scratch trains exactly as long as the fine-tuning, so the two split
    // the fine-tuning's time evenly.
    s[4].share = 0.2;
    s.insert(s.begin() + static_cast<long>(next++), StageShare{"scratch", 0.2});
  }
  if (baselines > 0) {
    // Each baseline trains as long as the winner's fine-tuning, plus its export, accuracy and
    // verification; then every share is scaled back so that they sum to 1.
    const auto share_of = [&s](const std::string& name) {
      for (const StageShare& stage : s)
        if (stage.name == name) return stage.share;
      return 0.0;
    };
    const double per_baseline =
        share_of("finetune") + share_of("export") + share_of("accuracy") + share_of("verify");
    s.insert(s.begin() + static_cast<long>(next),
             StageShare{"baselines", per_baseline * baselines});
    double total = 0;
    for (const StageShare& stage : s) total += stage.share;
    for (StageShare& stage : s) stage.share /= total;
  }
  return s;
}

double stage_allowance(const std::vector<StageShare>& stages, size_t index, double remaining_s) {
  if (index >= stages.size() || remaining_s <= 0) return 0;
  double rest = 0;
  for (size_t i = index; i < stages.size(); ++i) rest += stages[i].share;
  return rest > 0 ? remaining_s * stages[index].share / rest : 0;
}

double phase_cost(const supernet::PhaseOptions& phase) {
  const double subnets = phase.elastic.empty() ? 1.0 : 0.6 * phase.subnets_per_step;
  const bool teacher = phase.distill && phase.sampling == "random";
  return subnets + (teacher ? kTeacherCost : 0.0);
}

std::vector<supernet::PhaseOptions> plan_phases(std::vector<supernet::PhaseOptions> recipe,
                                                double seconds, const TrainingRate& rate,
                                                int64_t images) {
  if (recipe.empty()) return recipe;
  double recipe_s = 0;  // the recipe as written, in seconds
  for (const auto& p : recipe)
    recipe_s += p.epochs * phase_cost(p) * static_cast<double>(images) / rate.images_per_s;
  const double scale = recipe_s > 0 ? std::max(0.0, seconds) / recipe_s : 0;
  const bool any_time = scale * recipe.front().epochs >= 1;
  for (size_t i = 0; i < recipe.size(); ++i) {
    supernet::PhaseOptions& p = recipe[i];
    const int scaled = static_cast<int>(std::floor(p.epochs * scale));
    const int least = (i == 0 || (any_time && p.epochs > 0)) ? 1 : 0;
    p.warmup_epochs = std::min(p.warmup_epochs, 0.15 * std::max(scaled, least));
    p.epochs = std::max(scaled, least);
  }
  return recipe;
}

double with_teacher_images_per_s(double alone_images_per_s, const TrainingRate& rate) {
  return 1.0 / (1.0 / alone_images_per_s + kTeacherCost / rate.images_per_s);
}

int plan_epochs(double seconds, double images_per_s, int64_t images) {
  const double epochs = seconds * images_per_s / std::max<double>(1, static_cast<double>(images));
  return static_cast<int>(std::clamp(std::floor(epochs), 1.0, 1000.0));
}

int64_t plan_measurements(double seconds, const TrainingRate& rate, int64_t calibration_images,
                          int64_t validation_images, int64_t min, int64_t max) {
  const double per_measurement =
      static_cast<double>(calibration_images + validation_images) / (3.0 * rate.images_per_s);
  const double n = seconds / std::max(1e-9, per_measurement);
  return static_cast<int64_t>(
      std::clamp(std::floor(n), static_cast<double>(min), static_cast<double>(max)));
}

}  // namespace tinynas::pipeline
