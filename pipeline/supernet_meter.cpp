#include "pipeline/supernet_meter.h"

#include "supernet/supernet_evaluator.h"

namespace tinynas::pipeline {
namespace {

class SupernetMeter final : public AccuracyMeter {
 public:
  SupernetMeter(const std::string& checkpoint, const supernet::EvalRequest& request)
      : evaluator_(checkpoint, request) {}
  double accuracy(const nas::Arch& arch) override { return evaluator_.accuracy(arch); }
  int64_t images() const override { return evaluator_.images(); }

 private:
  supernet::SupernetEvaluator evaluator_;
};

}  // namespace

std::unique_ptr<AccuracyMeter> open_supernet_meter(const std::string& checkpoint,
                                                   const supernet::EvalRequest& request) {
  return std::make_unique<SupernetMeter>(checkpoint, request);
}

}  // namespace tinynas::pipeline
