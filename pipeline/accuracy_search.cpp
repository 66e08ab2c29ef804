#include "pipeline/accuracy_search.h"

#include <filesystem>
#include <stdexcept>

#include "nas/accuracy_predictor.h"

namespace tinynas::pipeline {
namespace {

// The supernet measuring every candidate on held-out training images: the fitness when there is
// no predictor (slow; a predictor is the fast way).
class MeasuredFitness final : public nas::FitnessEvaluator {
 public:
  explicit MeasuredFitness(AccuracyMeter& meter) : meter_(meter) {}
  std::string kind() const override { return "supernet"; }
  double fitness(const nas::Arch& arch, const nas::ArchCost&) override {
    return meter_.accuracy(arch);
  }

 private:
  AccuracyMeter& meter_;
};

// The run's own data and training subset: validation images are the ones it never trained on.
supernet::EvalRequest judge_request(const SupernetRun& run, int threads, const std::string& split,
                                    int64_t images) {
  supernet::EvalRequest request = run.request;
  request.threads = threads;
  request.split = split;
  request.eval.test_subset = images;
  return request;
}

}  // namespace

AccuracySearch::AccuracySearch(AccuracySearchSettings settings, Parts parts)
    : settings_(std::move(settings)), parts_(std::move(parts)) {
  if (!parts_.fitness)
    throw std::invalid_argument("accuracy search needs --supernet or --predictor");
  if (static_cast<bool>(parts_.validation) != static_cast<bool>(parts_.test))
    throw std::invalid_argument("accuracy search: give both judgement meters or neither");
}

AccuracySearch::~AccuracySearch() = default;

std::string AccuracySearch::fitness_label() const {
  return parts_.fitness->kind() == "predictor" ? "predicted top-1 (%)" : "validation top-1 (%)";
}

nlohmann::json AccuracySearch::describe() const {
  return {{"fitness_source", parts_.fitness_source},
          {"supernet", settings_.supernet},
          {"predictor", settings_.predictor},
          {"width_mult", parts_.width_mult},
          {"resolutions", parts_.resolutions},
          {"top_k", settings_.top_k},
          {"validation_images", settings_.validation_images}};
}

JudgedResult AccuracySearch::judge(const std::vector<nas::Candidate>& ranked,
                                   const std::function<void(const std::string&)>& note) {
  return judge_top_k(ranked, settings_.top_k, parts_.validation.get(), parts_.test.get(), note);
}

std::unique_ptr<AccuracySearch> open_accuracy_search(const AccuracySearchSettings& a, int threads,
                                                     const nas::SearchSpace& space,
                                                     const SupernetAccess& supernets) {
  if (!a.supernet.empty() && !std::filesystem::exists(a.supernet))
    throw std::invalid_argument("supernet checkpoint '" + a.supernet +
                                "' does not exist (train one with tinynas train)");
  if (!a.supernet.empty() && !supernets.available())
    throw std::invalid_argument(
        "this tinynas was built without LibTorch, so it cannot evaluate a supernet; search with "
        "--predictor alone, or build with -DTINYNAS_WITH_TORCH=ON");
  AccuracySearch::Parts parts;
  if (!a.predictor.empty()) {
    if (!std::filesystem::exists(a.predictor))
      throw std::invalid_argument("accuracy predictor '" + a.predictor +
                                  "' does not exist (build one with tinynas predictor build)");
    nas::AccuracyPredictor predictor = nas::AccuracyPredictor::load(a.predictor);
    if (predictor.space().name != space.name)
      throw std::invalid_argument("the predictor " + a.predictor + " is for space '" +
                                  predictor.space().name + "', the search's is '" + space.name +
                                  "'");
    parts.width_mult = predictor.width_mult();
    parts.resolutions = predictor.resolutions();
    parts.fitness = std::make_unique<nas::PredictorFitness>(std::move(predictor));
    parts.fitness_source = a.predictor;
  }
  if (!a.supernet.empty()) {
    const SupernetRun run = supernets.describe(a.supernet);
    if (run.space.name != space.name)
      throw std::invalid_argument("the supernet " + a.supernet + " is for space '" +
                                  run.space.name + "', the search's is '" + space.name + "'");
    if (parts.fitness && !nas::same_width(run.width_mult, parts.width_mult))
      throw std::invalid_argument("the predictor is for width " + std::to_string(parts.width_mult) +
                                  ", the supernet has width " + std::to_string(run.width_mult));
    parts.validation = supernets.open_meter(
        a.supernet, judge_request(run, threads, "validation", a.validation_images));
    parts.test = supernets.open_meter(a.supernet, judge_request(run, threads, "test", 0));
    if (!parts.fitness) {
      parts.width_mult = run.width_mult;
      parts.resolutions = run.resolutions();
      parts.fitness = std::make_unique<MeasuredFitness>(*parts.validation);
      parts.fitness_source = a.supernet;
    }
  }
  return std::make_unique<AccuracySearch>(a, std::move(parts));
}

}  // namespace tinynas::pipeline
