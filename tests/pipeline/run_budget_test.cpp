// The budget rules of `tinynas run` (docs/run.md).
#include "pipeline/run_budget.h"

#include <gtest/gtest.h>

#include <numeric>

namespace tinynas::pipeline {
namespace {

double total_share(const std::vector<StageShare>& stages) {
  return std::accumulate(stages.begin(), stages.end(), 0.0,
                         [](double s, const StageShare& x) { return s + x.share; });
}

TEST(RunBudgetTest, SharesCoverTheWholeBudgetInStageOrder) {
  for (bool scratch : {false, true}) {
    const auto stages = run_stages(scratch);
    EXPECT_NEAR(total_share(stages), 1.0, 1e-12);
    EXPECT_EQ(stages.front().name, "space");
    EXPECT_EQ(stages.back().name, "report");
    EXPECT_EQ(stages.size(), scratch ? 10u : 9u);
  }
  // The comparison from scratch trains as long as the fine-tuning: its share is the same.
  const auto with_scratch = run_stages(true);
  EXPECT_EQ(with_scratch[5].name, "scratch");
  EXPECT_DOUBLE_EQ(with_scratch[5].share, with_scratch[4].share);
}

// A baseline trains as long as the winner's fine-tuning: its share (less its measuring stages)
// equals the fine-tuning's, however many stages there are.
TEST(RunBudgetTest, EachBaselineGetsTheWinnersTrainingTime) {
  for (bool scratch : {false, true})
    for (int n : {1, 2}) {
      const auto stages = run_stages(scratch, n);
      EXPECT_NEAR(total_share(stages), 1.0, 1e-12);
      EXPECT_EQ(stages.size(), (scratch ? 11u : 10u));
      const auto share = [&](const std::string& name) {
        for (const StageShare& s : stages)
          if (s.name == name) return s.share;
        ADD_FAILURE() << name;
        return 0.0;
      };
      EXPECT_EQ(stages[scratch ? 6 : 5].name, "baselines");
      const double measuring = share("export") + share("accuracy") + share("verify");
      EXPECT_NEAR(share("baselines") / n - measuring, share("finetune"), 1e-12);
      // The other stages keep their proportions.
      const auto without = run_stages(scratch);
      EXPECT_NEAR(share("supernet") / share("finetune"), without[1].share / without[4].share,
                  1e-12);
    }
}

TEST(RunBudgetTest, AStageGetsItsShareOfWhatIsLeft) {
  const auto stages = run_stages(false);
  // On schedule: the supernet's share of the whole budget.
  const double after_space = 9000 * (1 - stages[0].share);
  EXPECT_NEAR(stage_allowance(stages, 1, after_space), 9000 * stages[1].share, 1e-6);
  // Time saved early goes to the later stages in proportion; the last stage gets all that is left.
  EXPECT_GT(stage_allowance(stages, 1, 9000), 9000 * stages[1].share);
  EXPECT_DOUBLE_EQ(stage_allowance(stages, stages.size() - 1, 42), 42);
  EXPECT_EQ(stage_allowance(stages, 2, -5), 0);
}

supernet::PhaseOptions phase(const char* name, std::vector<std::string> elastic, int epochs,
                             int subnets, bool distill) {
  supernet::PhaseOptions p;
  p.name = name;
  p.elastic = std::move(elastic);
  p.epochs = epochs;
  p.subnets_per_step = subnets;
  p.distill = distill;
  return p;
}

TEST(RunBudgetTest, PhasesKeepTheRecipesProportionsAndFitTheTime) {
  const std::vector<supernet::PhaseOptions> recipe = {
      phase("full", {}, 4, 1, false), phase("kernel", {"kernel"}, 1, 1, true),
      phase("depth", {"kernel", "depth"}, 1, 2, true)};
  const TrainingRate rate{100, 36e6};
  const int64_t images = 10000;
  // The recipe as written takes (4 + 0.95 + 1.55) x 100 s = 650 s; twice that doubles it.
  const auto doubled = plan_phases(recipe, 1300, rate, images);
  EXPECT_EQ(doubled[0].epochs, 8);
  EXPECT_EQ(doubled[1].epochs, 2);
  EXPECT_EQ(doubled[2].epochs, 2);
  double seconds = 0;
  for (const auto& p : doubled) seconds += p.epochs * phase_cost(p) * images / rate.images_per_s;
  EXPECT_LE(seconds, 1300 + 1e-6);
  // Too little time for the recipe: each phase still trains once, as long as the first can.
  const auto short_run = plan_phases(recipe, 420, rate, images);
  EXPECT_EQ(short_run[0].epochs, 2);
  EXPECT_EQ(short_run[1].epochs, 1);
  // Far too little: the full network alone, one epoch.
  const auto tiny = plan_phases(recipe, 10, rate, images);
  EXPECT_EQ(tiny[0].epochs, 1);
  EXPECT_EQ(tiny[1].epochs, 0);
  EXPECT_EQ(tiny[2].epochs, 0);
}

TEST(RunBudgetTest, TeachersCostTimeAndEpochsFitTheSeconds) {
  const TrainingRate rate{100, 40e6};
  // 1/200 s per image alone plus 0.35/100 s for the teacher's forward pass.
  EXPECT_DOUBLE_EQ(with_teacher_images_per_s(200, rate), 1.0 / (0.005 + 0.0035));
  EXPECT_EQ(plan_epochs(900, 200, 45000), 4);
  EXPECT_EQ(plan_epochs(1, 200, 45000), 1);
  EXPECT_EQ(plan_measurements(60, rate, 1000, 1000, 10, 2000), 10);   // 300 / 2000 s each -> 9
  EXPECT_EQ(plan_measurements(600, rate, 1000, 1000, 10, 2000), 90);  // 600 / (2000 / 300)
}

}  // namespace
}  // namespace tinynas::pipeline
