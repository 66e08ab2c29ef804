#include "supernet/supernet_evaluator.h"

#include <thread>

#include "supernet/checkpoint.h"
#include "supernet/evaluation.h"
#include "supernet/heap_tuning.h"

namespace tinynas::supernet {

struct SupernetEvaluator::Impl {
  Checkpoint checkpoint;
  Normalization norm;
  data::ImageSet calibration, test;
  EvalRequest request;
  torch::Device device{torch::kCPU};
};

SupernetEvaluator::SupernetEvaluator(const std::string& path, const EvalRequest& request)
    : impl_(std::make_unique<Impl>()) {
  keep_freed_memory_in_process();
  torch::set_num_threads(request.threads > 0 ? request.threads
                                             : std::max(1u, std::thread::hardware_concurrency()));
  impl_->checkpoint = load_checkpoint(path);
  impl_->norm = norm_from_json(impl_->checkpoint.meta.network);
  impl_->request = request;
  impl_->device = torch::Device(request.device == "cuda" ? torch::kCUDA : torch::kCPU);
  impl_->checkpoint.net->to(impl_->device);
  const data::ImageSet train = data::load_split(request.data, "train", request.cache_dir);
  impl_->calibration = calibration_images(request, train);
  impl_->test = evaluation_images(request, train);
}

SupernetEvaluator::~SupernetEvaluator() = default;

const nas::SearchSpace& SupernetEvaluator::space() const {
  return impl_->checkpoint.net->space();
}

double SupernetEvaluator::width_mult() const {
  return impl_->checkpoint.net->options().width_mult;
}

int64_t SupernetEvaluator::images() const {
  return impl_->test.size();
}

double SupernetEvaluator::fitness(const nas::Arch& arch, const nas::ArchCost&) {
  return accuracy(arch);
}

double SupernetEvaluator::accuracy(const nas::Arch& arch) {
  const std::string key = nas::arch_to_json(arch).dump();
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  OFANetwork& net = impl_->checkpoint.net;
  net->set_active(arch);
  recalibrate_bn(net, impl_->calibration, impl_->norm, impl_->checkpoint.meta.run.train.augment,
                 impl_->request.eval.calibration_batch, impl_->device);
  const double top1 =
      measure_top1(net, impl_->test, impl_->norm, impl_->request.eval.batch_size, impl_->device)
          .top1;
  ++evaluations_;
  cache_[key] = top1;
  return top1;
}

}  // namespace tinynas::supernet
