// Small pieces the supernet tests share: a tiny search space (two short stages) so every test
// runs in milliseconds, a small synthetic data set for the functions that load their data, a
// temporary folder, and single-threaded torch.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <random>
#include <string>

#include "data/dataset.h"
#include "nas/search_space.h"
#include "supernet/api.h"

namespace tinynas::supernet::testing {

inline nas::SearchSpace tiny_space() {
  nas::SearchSpace s;
  s.name = "tiny";
  s.input_channels = 3;
  s.num_classes = 4;
  s.stem_base_channels = 16;
  s.stem_kernel = 3;
  s.stem_stride = 1;
  s.first_block_base_channels = 8;
  s.first_block_kernel = 3;
  s.stages = {{16, 2, {1, 2}}, {16, 1, {1, 2}}};
  s.kernels = {3, 5, 7};
  s.expands = {3, 4, 6};
  s.resolutions = {8, 12, 16};
  s.width_mults = {1.0};
  return s;
}

// tiny_space's size with residual blocks: no first block, a residual stage whose first block
// projects its skip (16 -> 8 channels at stride 1), an MBConv stage, and a residual stage at
// stride 2; residual middle widths 1x or 2x.
inline nas::SearchSpace tiny_residual_space() {
  nas::SearchSpace s = tiny_space();
  s.name = "tiny-residual";
  s.first_block_base_channels = 0;
  s.stages = {{8, 1, {1, 2}, nas::BlockKind::kResidual},
              {16, 2, {1, 2}},
              {24, 2, {1, 2}, nas::BlockKind::kResidual}};
  s.stages[0].kernels = s.stages[2].kernels = {3, 5};
  s.stages[0].expands = s.stages[2].expands = {1, 2};
  return s;
}

// 96 training and 40 test images of 12x12x3 in 4 classes, generated (data::DatasetSpec).
inline data::DatasetSpec synthetic_spec() {
  data::DatasetSpec spec;
  spec.kind = "synthetic";
  spec.synthetic_train = 96;
  spec.synthetic_test = 40;
  spec.synthetic_size = 12;
  spec.synthetic_classes = 4;
  return spec;
}

// A short progressive-shrinking run of tiny_space() on synthetic_spec(): 64 of the 96 training
// images (32 stay out: the validation split), the full network then every dimension elastic.
inline TrainJob synthetic_supernet_job(const std::string& out) {
  TrainJob job;
  job.space = tiny_space();
  job.supernet.width_mult = 1.0;
  job.data = synthetic_spec();
  job.train.batch_size = 16;
  job.train.resolutions = {8, 12};
  job.train.train_subset = 64;
  job.train.checkpoint_minutes = 0;
  job.train.phases = {{"full", {}, 1, 0.05, 0, 1, "random", false},
                      {"all", {"kernel", "depth", "expand"}, 1, 0.02, 0, 2, "random", true}};
  job.eval.calibration_images = 32;
  job.eval.calibration_batch = 16;
  job.eval.epoch_test_subset = 16;
  job.seed = 5;
  job.threads = 1;
  job.out_dir = out;
  return job;
}

// A fresh folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("tinynas_supernet_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
    torch::set_num_threads(1);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace tinynas::supernet::testing
