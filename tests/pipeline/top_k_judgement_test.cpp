// The rule that picks the accuracy search's winner: first top_k distinct candidates in fitness
// order, the best validation top-1 wins (the first of equals), only the winner sees the test split.
#include "pipeline/top_k_judgement.h"

#include <gtest/gtest.h>

#include <set>

#include "nas/random.h"
#include "nas/sampling.h"
#include "nas/search_space.h"
#include "tests/pipeline/test_meters.h"

namespace tinynas::pipeline {
namespace {

using testing::TableMeter;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

// Five distinct sub-nets A..E of the cifar space, fitness falling from A to E.
std::vector<nas::Candidate> five_candidates() {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  nas::Rng rng(3);
  std::vector<nas::Candidate> out;
  std::set<std::string> seen;
  while (out.size() < 5) {
    nas::Candidate c;
    c.arch = nas::sample_arch(space, 32, 0.35, rng);
    if (!seen.insert(c.arch.summary()).second) continue;
    c.fitness = 90 - 10.0 * static_cast<double>(out.size());
    c.cost.macs = 1000 + static_cast<int64_t>(out.size());
    out.push_back(c);
  }
  return out;
}

TEST(TopKJudgementTest, BestValidationOfTheFirstDistinctTopKWinsAndOnlyItSeesTheTestSplit) {
  const std::vector<nas::Candidate> c = five_candidates();
  // A twice (a converged population repeats sub-nets), then B, C, D, E.
  const std::vector<nas::Candidate> ranked = {c[0], c[0], c[1], c[2], c[3], c[4]};
  // Validation prefers C over the fitness leader A; D would be best but is outside the top 3.
  TableMeter validation({{c[0].arch.summary(), 60},
                         {c[1].arch.summary(), 55},
                         {c[2].arch.summary(), 70},
                         {c[3].arch.summary(), 99}},
                        500);
  TableMeter test({{c[2].arch.summary(), 66.5}}, 1000);
  std::vector<std::string> notes;
  const JudgedResult j = judge_top_k(ranked, 3, &validation, &test,
                                     [&](const std::string& line) { notes.push_back(line); });

  ASSERT_EQ(j.top_k.size(), 3u);
  EXPECT_EQ(j.top_k[0].candidate.arch, c[0].arch);
  EXPECT_EQ(j.top_k[1].candidate.arch, c[1].arch);
  EXPECT_EQ(j.top_k[2].candidate.arch, c[2].arch);
  EXPECT_EQ(j.chosen, 2u);
  EXPECT_DOUBLE_EQ(j.top_k[0].validation_top1, 60);
  EXPECT_DOUBLE_EQ(j.top_k[2].validation_top1, 70);
  EXPECT_DOUBLE_EQ(j.test_top1, 66.5);
  EXPECT_EQ(j.validation_images, 500);
  EXPECT_EQ(j.test_images, 1000);
  // Each distinct candidate measured once; the test split only for the winner.
  EXPECT_EQ(validation.asked, (std::vector<std::string>{c[0].arch.summary(), c[1].arch.summary(),
                                                        c[2].arch.summary()}));
  EXPECT_EQ(test.asked, std::vector<std::string>{c[2].arch.summary()});
  EXPECT_EQ(notes.size(), 3u);

  const nlohmann::json json = j.to_json();
  EXPECT_EQ(json["chosen"], 2);
  EXPECT_EQ(json["top_k"].size(), 3u);
  EXPECT_EQ(json["top_k"][2]["summary"], c[2].arch.summary());
  EXPECT_DOUBLE_EQ(json["test_top1"].get<double>(), 66.5);
}

TEST(TopKJudgementTest, TheFirstOfEqualValidationScoresWins) {
  const std::vector<nas::Candidate> c = five_candidates();
  TableMeter validation({{c[0].arch.summary(), 40},
                         {c[1].arch.summary(), 75},
                         {c[2].arch.summary(), 75},
                         {c[3].arch.summary(), 10}},
                        100);
  TableMeter test({{c[1].arch.summary(), 70}}, 100);
  const JudgedResult j = judge_top_k({c[0], c[1], c[2], c[3]}, 4, &validation, &test, nullptr);
  EXPECT_EQ(j.chosen, 1u);
  EXPECT_EQ(test.asked, std::vector<std::string>{c[1].arch.summary()});
}

TEST(TopKJudgementTest, WithoutMetersTheTopKKeepTheirFitnessOrderUnmeasured) {
  const std::vector<nas::Candidate> c = five_candidates();
  const JudgedResult j = judge_top_k({c[0], c[1], c[1], c[2]}, 5, nullptr, nullptr, nullptr);
  ASSERT_EQ(j.top_k.size(), 3u);  // fewer distinct candidates than top_k
  EXPECT_EQ(j.top_k[2].candidate.arch, c[2].arch);
  EXPECT_EQ(j.chosen, 0u);
  EXPECT_DOUBLE_EQ(j.top_k[0].validation_top1, -1);
  EXPECT_DOUBLE_EQ(j.test_top1, -1);
  EXPECT_EQ(j.validation_images, 0);
}

TEST(TopKJudgementTest, AnEmptyRankingMeasuresNothing) {
  TableMeter validation({}, 1), test({}, 1);
  const JudgedResult j = judge_top_k({}, 5, &validation, &test, nullptr);
  EXPECT_TRUE(j.top_k.empty());
  EXPECT_DOUBLE_EQ(j.test_top1, -1);
  EXPECT_TRUE(test.asked.empty());
}

}  // namespace
}  // namespace tinynas::pipeline
