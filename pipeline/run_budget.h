// How `tinynas run` spends a wall-clock budget (docs/run.md has the rules in words): each stage
// has a share; when a stage starts it may use its share of the time still left, among the stages
// still to run, so a stage that finishes early leaves its time to the later ones and one that
// overruns takes it from them. Training stages turn their seconds into epochs with a measured
// training rate; the recipe's epochs give the proportions of the phases, the budget the scale.
//
//   std::vector<StageShare> stages = run_stages(true, 1);
//   double s = stage_allowance(stages, 1, budget_s - spent_s);          // the supernet's seconds
//   auto phases = plan_phases(recipe, s, rate, 45000);                  // epochs to fit s
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "supernet/options.h"

namespace tinynas::pipeline {

struct StageShare {
  std::string name;
  double share = 0;  // of the budget
};

// The stages of a run in order: space, supernet, predictor, search, finetune, [scratch],
// [baselines], export, accuracy, verify, report. compare_scratch adds "scratch": the winner
// trained from a random initialisation for as long as the fine-tuning, which shows what the
// supernet's weights are worth. baselines > 0 adds "baselines": that many hand-designed networks,
// each trained from scratch for as long as the winner's fine-tuning, then quantised, measured and
// verified like the winner; the other shares shrink in proportion to make room.
std::vector<StageShare> run_stages(bool compare_scratch, int baselines = 0);

// Seconds stage `index` may use when `remaining_s` of the budget are left: its share of them among
// the stages from `index` on.
double stage_allowance(const std::vector<StageShare>& stages, size_t index, double remaining_s);

// The training speed measured at the start of a run: the supernet's full network, one SGD step on
// a batch, no distillation.
struct TrainingRate {
  double images_per_s = 0;  // training images per second of the full network
  double full_macs = 0;     // the full network's MACs at the training resolution
};

// A distillation teacher's forward pass per training image, relative to a step of the full
// network.
inline constexpr double kTeacherCost = 0.35;

// Cost of one training image in a phase, relative to a step of the full network alone: sampled
// sub-nets cost about 0.6 of the full one each, a distillation teacher's forward pass 0.35.
double phase_cost(const supernet::PhaseOptions& phase);

// The recipe's phases with epochs scaled so that all of them take about `seconds` at `rate` with
// `images` training images per epoch. The recipe's epochs set the proportions; each phase the
// recipe trains gets at least one epoch when the time allows the first phase one, and the first
// phase always gets at least one.
std::vector<supernet::PhaseOptions> plan_phases(std::vector<supernet::PhaseOptions> recipe,
                                                double seconds, const TrainingRate& rate,
                                                int64_t images);

// Training images per second of a sub-net measured alone (`alone_images_per_s`) once each step
// also runs the full network's forward pass as a distillation teacher.
double with_teacher_images_per_s(double alone_images_per_s, const TrainingRate& rate);

// Whole epochs of `images` that fit `seconds` at `images_per_s` (at least 1, at most 1000).
int plan_epochs(double seconds, double images_per_s, int64_t images);

// Sub-net measurements (BN re-calibration on calibration_images, top-1 on validation_images) that
// fit `seconds`: forward passes only, about 3x the training rate. At least min, at most max.
int64_t plan_measurements(double seconds, const TrainingRate& rate, int64_t calibration_images,
                          int64_t validation_images, int64_t min, int64_t max);

}  // namespace tinynas::pipeline
