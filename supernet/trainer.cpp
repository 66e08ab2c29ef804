#include "supernet/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "supernet/checkpoint.h"
#include "supernet/evaluation.h"
#include "supernet/gradient_averager.h"
#include "supernet/heap_tuning.h"
#include "supernet/worker_group.h"
#include "util/json_reader.h"

namespace tinynas::supernet {
namespace {

namespace F = torch::nn::functional;

bool has(const PhaseOptions& p, const std::string& dim) {
  return std::find(p.elastic.begin(), p.elastic.end(), dim) != p.elastic.end();
}

// The option rules are supernet/options.h's (the experiment reader applies the same ones).
void check_options(const TrainJob& job) {
  const auto bad = [](const std::string& what) { throw std::invalid_argument("train: " + what); };
  const TrainOptions& t = job.train;
  for (const PhaseOptions& p : t.phases)
    if (const std::optional<OptionProblem> problem = phase_problem(p))
      bad("phase '" + p.name + "': '" + problem->key + "' " + problem->message);
  const std::vector<OptionProblem> problems = train_option_problems(t);
  if (!problems.empty()) bad("'" + problems.front().key + "' " + problems.front().message);
  if (t.device == "cuda" && !torch::cuda::is_available())
    bad("'device' is \"cuda\" but this LibTorch has no usable CUDA device");
  // Ranks other than 0 never write; they need a folder only to resume from.
  if (job.out_dir.empty() && (job.distributed.rank == 0 || job.resume)) bad("no output folder");
  if (job.micro_batches < 1) bad("micro-batches must be at least 1");
  const int shards = job.distributed.world_size * job.micro_batches;
  if (t.batch_size % shards != 0)
    bad("'batch_size' " + std::to_string(t.batch_size) + " is not divisible by world size " +
        std::to_string(job.distributed.world_size) + " x micro-batches " +
        std::to_string(job.micro_batches) + " = " + std::to_string(shards) +
        " (every rank takes an equal share of each batch)");
}

// The seed of the torch generator (dropout) for one sub-net on one shard of one step: the masks
// are the same whichever process computes that shard, and a resumed run draws what the
// uninterrupted one drew.
uint64_t dropout_seed(uint64_t seed, int64_t step, size_t subnet, int64_t shard) {
  nas::Rng rng =
      nas::Rng::for_stream(seed ^ 0xD120F0A7ULL, static_cast<uint64_t>(step) * 4096 + subnet * 64 +
                                                     static_cast<uint64_t>(shard));
  return static_cast<uint64_t>(rng.index(1 << 30));
}

torch::Tensor soft_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target_probs) {
  return -(target_probs * torch::log_softmax(logits, 1)).sum(1).mean();
}

// The position inside an epoch; checkpoints written before mid-epoch saves lack it (they are all
// at an epoch's end).
void add_epoch_position(nlohmann::json& state) {
  for (const char* key : {"step", "epoch_loss_sum", "epoch_seconds"})
    if (!state.contains(key)) state[key] = 0;
}

void set_rng_state(const torch::Tensor& state) {
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

}  // namespace

nas::Arch Trainer::sample(const OFANetwork& net, const PhaseOptions& phase, int resolution,
                          nas::Rng& rng) {
  const nas::SearchSpace& s = net->space();
  nas::Arch a = net->largest(resolution);
  for (size_t i = 0; i < a.stages.size(); ++i) {
    const int depth = has(phase, "depth") ? rng.pick(s.stages[i].depths) : s.stages[i].max_depth();
    a.stages[i].blocks.resize(static_cast<size_t>(depth));
    const std::vector<int>& kernels = s.kernels_of(i);
    const std::vector<int>& expands = s.expands_of(i);
    for (nas::BlockArch& b : a.stages[i].blocks) {
      b.kernel = has(phase, "kernel") ? rng.pick(kernels) : kernels.back();
      b.expand = has(phase, "expand") ? rng.pick(expands) : expands.back();
    }
  }
  return a;
}

Trainer::Trainer(const TrainJob& job, data::ImageSet train, data::ImageSet test,
                 TrainCallbacks callbacks)
    : job_(job),
      train_(std::move(train)),
      test_(std::move(test)),
      callbacks_(std::move(callbacks)),
      device_(job.train.device == "cuda" ? torch::kCUDA : torch::kCPU),
      run_{job.data, job.train, job.eval, job.seed} {
  check_options(job_);
  keep_freed_memory_in_process();
  torch::set_num_threads(job.threads > 0 ? job.threads
                                         : std::max(1u, std::thread::hardware_concurrency()));
  if (train_.channels != job.space.input_channels)
    throw std::invalid_argument("data has " + std::to_string(train_.channels) +
                                " channels but space '" + job.space.name + "' expects " +
                                std::to_string(job.space.input_channels));
  if (test_.num_classes() != train_.num_classes())
    throw std::invalid_argument("the test split has " + std::to_string(test_.num_classes()) +
                                " classes, the training split " +
                                std::to_string(train_.num_classes()));
  if (job_.subnet) job_.train.resolutions = {job_.subnet->resolution};
  if (job_.train.resolutions.empty()) job_.train.resolutions = {train_.height};
  train_ = data::subset(train_, job_.train.train_subset, job_.seed);
  if (train_.size() < job_.train.batch_size)
    throw std::invalid_argument("train: 'batch_size' " + std::to_string(job_.train.batch_size) +
                                " is larger than the " + std::to_string(train_.size()) +
                                " training images");
  calibration_ = data::subset(train_, job_.eval.calibration_images, job_.seed + 1);
  epoch_test_ = data::subset(test_, job_.eval.epoch_test_subset, job_.seed + 2);

  checkpoint_path_ = job_.out_dir + "/" + job_.checkpoint_name;
  log_path_ = job_.out_dir + "/train_log.csv";
  const bool exists =
      !job_.out_dir.empty() && checkpoint_matches_resume(checkpoint_path_, job_.resume);

  std::optional<torch::serialize::InputArchive> saved_optimizer;
  if (exists) {
    Checkpoint c = load_checkpoint(checkpoint_path_);
    net_ = c.net;
    teacher_ = c.teacher;
    norm_ = norm_from_json(c.meta.network);
    const nas::SearchSpace& s = net_->space();
    if (s.name != job_.space.name ||
        !nas::same_width(net_->options().width_mult, job_.supernet.width_mult) ||
        net_->num_classes() != train_.num_classes())
      throw std::invalid_argument("--resume: '" + checkpoint_path_ +
                                  "' holds a supernet of space '" + s.name + "' at width " +
                                  std::to_string(net_->options().width_mult) +
                                  ", not the one this config describes");
    state_ = c.meta.state;
    const nlohmann::json subnet = job_.subnet ? nas::arch_to_json(*job_.subnet) : nlohmann::json();
    if (state_.value("subnet", nlohmann::json()) != subnet)
      throw std::invalid_argument(
          "--resume: '" + checkpoint_path_ + "' " +
          (!state_.contains("subnet") ? "trains a whole supernet, not one sub-net"
           : job_.subnet              ? "fine-tunes another sub-net than this run's"
                                      : "fine-tunes one sub-net (tinynas finetune --resume)"));
    const int shards = state_.value("shards", 1);
    if (shards != job_.distributed.world_size * job_.micro_batches)
      throw std::invalid_argument(
          "--resume: '" + checkpoint_path_ + "' was trained with world size " +
          std::to_string(state_.value("world_size", 1)) + " x micro-batches " +
          std::to_string(shards / std::max(1, state_.value("world_size", 1))) + " = " +
          std::to_string(shards) + " shards per batch; this run has " +
          std::to_string(job_.distributed.world_size) + " x " + std::to_string(job_.micro_batches) +
          " (resume with the same world size, or micro-batches making up the difference)");
    add_epoch_position(state_);
    set_rng_state(c.rng_state);
    saved_optimizer = std::move(c.optimizer);
  } else {
    torch::manual_seed(job_.seed);
    if (!job_.start_from.empty()) {
      Checkpoint start = load_checkpoint(job_.start_from);
      if (start.net->space().name != job_.space.name ||
          !nas::same_width(start.net->options().width_mult, job_.supernet.width_mult) ||
          start.net->num_classes() != train_.num_classes())
        throw std::invalid_argument(
            "'" + job_.start_from + "' holds a supernet of space '" + start.net->space().name +
            "' at width " + std::to_string(start.net->options().width_mult) + " with " +
            std::to_string(start.net->num_classes()) + " classes, not the network this run trains");
      // The teacher's inputs, and the student's, are normalised as the supernet's were.
      norm_ = norm_from_json(start.meta.network);
      net_ = job_.inherit_weights
                 ? start.net
                 : OFANetwork(start.net->space(), start.net->options(), train_.num_classes());
      teacher_source_ = start.net;
    } else {
      net_ = OFANetwork(job_.space, job_.supernet, train_.num_classes());
      data::channel_stats(train_, norm_.mean, norm_.std);
    }
    state_ = {{"phase", 0},
              {"epoch", 0},
              {"global_step", 0},
              {"global_epoch", 0},
              {"history", nlohmann::json::array()}};
    if (job_.subnet) state_["subnet"] = nas::arch_to_json(*job_.subnet);
    add_epoch_position(state_);
  }
  if (job_.subnet) net_->set_active(*job_.subnet);  // rejects an arch outside the supernet
  state_["world_size"] = job_.distributed.world_size;
  state_["shards"] = job_.distributed.world_size * job_.micro_batches;
  net_->to(device_);
  if (teacher_) teacher_->to(device_);

  LoaderOptions lo;
  lo.batch_size = job_.train.batch_size;
  lo.shuffle = true;
  lo.augment = job_.train.augment;
  lo.norm = norm_;
  lo.seed = job_.seed;
  lo.workers = job_.train.workers;
  loader_ = std::make_unique<BatchLoader>(train_, lo);

  const int64_t step = state_["step"].get<int64_t>();
  if (step >= loader_->batches_per_epoch())
    throw std::invalid_argument(
        "--resume: '" + checkpoint_path_ + "' stopped after step " + std::to_string(step) +
        " of an epoch, but this config makes epochs of " +
        std::to_string(loader_->batches_per_epoch()) + " steps (was batch_size changed?)");
  const size_t phase = state_["phase"].get<size_t>();
  if (phase < job_.train.phases.size() && (state_["epoch"].get<int>() > 0 || step > 0)) {
    // Resuming inside a phase: the same optimizer, with its momentum buffers; the phase's start
    // (teacher snapshot, channel sorting) happened before the checkpoint and is not repeated.
    start_phase(phase, /*fresh=*/false);
    if (saved_optimizer) optimizer_->load(*saved_optimizer);
  }
  // A run killed between the checkpoint and the log leaves the log an epoch behind.
  if (exists && writes()) write_log();
  join_workers();
}

bool Trainer::writes() const {
  return job_.distributed.rank == 0;
}

void Trainer::join_workers() {
  if (!job_.distributed.enabled()) return;
  // What must be equal on every rank for them to train one model: checked at the rendezvous.
  const nlohmann::json fingerprint = {
      {"run", run_to_json(run_)},
      {"network", network_json(net_, norm_)},
      {"train_images", train_.size()},
      {"test_images", test_.size()},
      {"world_size", job_.distributed.world_size},
      {"micro_batches", job_.micro_batches},
      {"start", {{"phase", state_["phase"]}, {"global_step", state_["global_step"]}}}};
  group_ = std::make_unique<WorkerGroup>(job_.distributed, fingerprint, device_.is_cuda());
  // One starting point: a fresh run's random initialisation differs between processes.
  std::vector<torch::Tensor> tensors;
  for (const OFANetwork& net : {net_, teacher_}) {
    if (!net) continue;
    for (const torch::Tensor& t : net->parameters()) tensors.push_back(t);
    for (const torch::Tensor& t : net->buffers()) tensors.push_back(t);
  }
  group_->broadcast_from_rank0(tensors, "the initial weights");
  averager_ = std::make_unique<GradientAverager>(*group_, net_->parameters());
}

Trainer::~Trainer() = default;  // here, where WorkerGroup and GradientAverager are complete

void Trainer::start_phase(size_t index, bool fresh) {
  const PhaseOptions& p = job_.train.phases[index];
  if (fresh) {
    if (p.distill && p.sampling == "random" && !teacher_) {
      // The full network as trained so far becomes the teacher of every later phase (when
      // fine-tuning: the supernet's, whatever the student starts from).
      teacher_ = OFANetwork(net_->space(), net_->options(), net_->num_classes());
      copy_state(teacher_source_ ? *teacher_source_ : *net_, *teacher_);
      teacher_source_ = nullptr;
      teacher_->to(device_);
      // Its BN statistics re-estimated on the calibration images (as every evaluation does),
      // rather than the running averages of training: those depend on how each batch was split
      // (ranks, micro-batches), these only on the weights, so every rank has the same teacher.
      const int r = *std::max_element(job_.train.resolutions.begin(), job_.train.resolutions.end());
      teacher_->set_active(teacher_->largest(r));
      recalibrate_bn(teacher_, calibration_, norm_, job_.train.augment, job_.eval.calibration_batch,
                     device_);
    }
    if (has(p, "expand")) net_->sort_channels();
  }
  // No weight decay on BN, biases or the kernel transformation matrices.
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& item : net_->named_parameters(true)) {
    const std::string& name = item.key();
    const bool conv_or_fc = item.value().dim() > 1 && name.find("matrix") == std::string::npos;
    (conv_or_fc ? decay : no_decay).push_back(item.value());
  }
  const auto options = [&](double wd) {
    return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(p.lr)
                                                          .momentum(job_.train.momentum)
                                                          .nesterov(true)
                                                          .weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, options(job_.train.weight_decay));
  groups.emplace_back(no_decay, options(0.0));
  optimizer_ = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(p.lr));
}

double Trainer::learning_rate(const PhaseOptions& p, int epoch, int64_t step) const {
  const double steps = static_cast<double>(loader_->batches_per_epoch());
  const double t = epoch + static_cast<double>(step) / steps;  // epochs done in the phase
  if (t < p.warmup_epochs) return p.lr * (0.1 + 0.9 * t / p.warmup_epochs);
  const double span = std::max(1e-9, p.epochs - p.warmup_epochs);
  return 0.5 * p.lr * (1 + std::cos(M_PI * (t - p.warmup_epochs) / span));
}

double Trainer::train_step(const PhaseOptions& p, const Batch& batch, int64_t global_step) {
  nas::Rng rng = nas::Rng::for_stream(job_.seed, static_cast<uint64_t>(global_step));
  const int resolution = rng.pick(job_.train.resolutions);
  std::vector<nas::Arch> archs;
  if (job_.subnet) {
    archs.push_back(*job_.subnet);
  } else if (p.sampling == "sandwich") {
    archs.push_back(net_->largest(resolution));
    nas::Arch small = sample(net_, p, resolution, rng);  // keeps the non-elastic dims at max
    for (size_t s = 0; s < small.stages.size(); ++s) {
      const nas::StageSpec& spec = net_->space().stages[s];
      if (has(p, "depth")) small.stages[s].blocks.resize(static_cast<size_t>(spec.min_depth()));
      for (nas::BlockArch& b : small.stages[s].blocks) {
        if (has(p, "kernel")) b.kernel = net_->space().kernels_of(s).front();
        if (has(p, "expand")) b.expand = net_->space().expands_of(s).front();
      }
    }
    archs.push_back(small);
  }
  while (static_cast<int>(archs.size()) < p.subnets_per_step)
    archs.push_back(sample(net_, p, resolution, rng));
  if (callbacks_.on_subnets) callbacks_.on_subnets(global_step, archs);

  const auto ce = F::CrossEntropyFuncOptions().label_smoothing(job_.train.label_smoothing);
  net_->train();
  // Gradients to "none", not zero: a parameter no sampled sub-net used this step (a skipped
  // block, an unused kernel matrix) is then left alone by momentum and weight decay, as in
  // PyTorch's zero_grad(set_to_none=True). It also keeps a resumed run exact: whether a gradient
  // exists must not depend on history the checkpoint does not hold.
  for (auto& param : net_->parameters()) param.mutable_grad() = torch::Tensor();
  // This process's shards of the batch: rows [shard * rows, (shard + 1) * rows) for shards
  // rank * micro_batches ... (rank + 1) * micro_batches - 1.
  const int64_t micro = job_.micro_batches;
  const int64_t rows = batch.images.size(0) / (job_.distributed.world_size * micro);
  std::vector<torch::Tensor> params = net_->parameters(), sums(params.size());
  double total = 0;
  for (int64_t m = 0; m < micro; ++m) {
    const int64_t shard = job_.distributed.rank * micro + m;
    const torch::Tensor x =
        resize(batch.images.narrow(0, shard * rows, rows).to(device_), resolution);
    const torch::Tensor y = batch.labels.narrow(0, shard * rows, rows).to(device_);
    torch::Tensor soft;
    if (p.distill && p.sampling == "random") {
      torch::NoGradGuard no_grad;
      teacher_->eval();
      soft = torch::softmax(teacher_->forward(x), 1);
    }
    for (size_t i = 0; i < archs.size(); ++i) {
      net_->set_active(archs[i]);
      torch::manual_seed(dropout_seed(job_.seed, global_step, i, shard));
      const torch::Tensor logits = net_->forward(x);
      torch::Tensor loss = F::cross_entropy(logits, y, ce);
      if (p.sampling == "sandwich" && p.distill) {
        if (i == 0)
          soft = torch::softmax(logits.detach(), 1);  // in-place distillation target
        else
          loss = loss + job_.train.distill_weight * soft_cross_entropy(logits, soft);
      } else if (soft.defined()) {
        loss = loss + job_.train.distill_weight * soft_cross_entropy(logits, soft);
      }
      loss.backward();  // the gradients of the sub-nets accumulate
      total += loss.item<double>() / static_cast<double>(micro);
    }
    // Micro-batches: each one's gradient separately, summed in order and divided at the end,
    // which is how the all-reduce of 2 ranks associates the sum, so one process with 2
    // micro-batches matches 2 ranks bit for bit (and rounding is not amplified into drift).
    if (micro > 1) {
      torch::NoGradGuard no_grad;
      for (size_t k = 0; k < params.size(); ++k) {
        const torch::Tensor g = params[k].grad();
        if (!g.defined()) continue;
        sums[k] = sums[k].defined() ? sums[k] + g : g;
        params[k].mutable_grad() = torch::Tensor();
      }
    }
  }
  if (micro > 1)
    for (size_t k = 0; k < params.size(); ++k)
      if (sums[k].defined()) params[k].mutable_grad() = sums[k] / static_cast<double>(micro);
  double mean_loss = total / static_cast<double>(archs.size());
  if (averager_) mean_loss = averager_->average(mean_loss);  // gradients and loss over the ranks
  optimizer_->step();
  return mean_loss;
}

void Trainer::end_epoch(EpochInfo& info) {
  // The other ranks move on to the next step and wait there for rank 0 (the collectives'
  // timeout covers this evaluation).
  if (job_.train.eval_each_epoch && writes()) {
    // Largest and smallest sub-nets, BN re-calibrated; the training statistics are put back.
    const std::vector<torch::Tensor> stats = save_bn_stats(net_);
    const int r = *std::max_element(job_.train.resolutions.begin(), job_.train.resolutions.end());
    const auto top1 = [&](const nas::Arch& arch) {
      net_->set_active(arch);
      recalibrate_bn(net_, calibration_, norm_, job_.train.augment, job_.eval.calibration_batch,
                     device_);
      return measure_top1(net_, epoch_test_, norm_, job_.eval.batch_size, device_).top1;
    };
    if (job_.subnet) {
      info.top1_subnet = top1(*job_.subnet);
    } else {
      info.top1_largest = top1(net_->largest(r));
      info.top1_smallest = top1(net_->smallest(r));
    }
    restore_bn_stats(net_, stats);
    net_->train();
  }
  state_["history"].push_back({{"phase", info.phase},
                               {"epoch", info.epoch},
                               {"global_step", info.global_step},
                               {"loss", info.loss},
                               {"lr", info.lr},
                               {"top1_largest", info.top1_largest},
                               {"top1_smallest", info.top1_smallest},
                               {"top1_subnet", info.top1_subnet},
                               {"seconds", info.seconds},
                               {"images_per_s", info.images_per_s}});
  if (!writes()) return;
  save();
  write_log();
}

void Trainer::save() const {
  CheckpointMeta meta;
  meta.network = network_json(net_, norm_);
  meta.run = run_;
  meta.settings = job_.settings;
  meta.state = state_;
  save_checkpoint(checkpoint_path_, meta, net_, teacher_, optimizer_.get());
}

void Trainer::write_log() const {
  std::ostringstream csv;
  csv << "phase,epoch,global_step,loss,lr,top1_largest,top1_smallest,top1_subnet,seconds,"
         "images_per_s\n";
  for (const auto& h : state_["history"])
    csv << h["phase"].get<std::string>() << ',' << h["epoch"] << ',' << h["global_step"] << ','
        << h["loss"] << ',' << h["lr"] << ',' << h["top1_largest"] << ',' << h["top1_smallest"]
        << ',' << h.value("top1_subnet", -1.0) << ',' << h["seconds"] << ',' << h["images_per_s"]
        << '\n';
  util::write_file_atomically(log_path_, csv.str());
}

TrainResult Trainer::run() {
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  TrainResult result;
  result.checkpoint = checkpoint_path_;
  result.log_csv = log_path_;
  const auto& phases = job_.train.phases;
  const int64_t per_epoch = loader_->batches_per_epoch();
  int64_t total_steps = 0;
  for (const auto& p : phases) total_steps += p.epochs * per_epoch;
  if (state_["phase"].get<size_t>() >= phases.size()) {
    result.already_finished = true;
    return result;
  }
  const double checkpoint_s = 60 * job_.train.checkpoint_minutes;  // 0: at epoch ends only
  if (job_.resume && callbacks_.on_note)
    callbacks_.on_note("resuming at phase '" + phases[state_["phase"].get<size_t>()].name +
                       "' epoch " + std::to_string(state_["epoch"].get<int>() + 1) + " step " +
                       std::to_string(state_["step"].get<int64_t>()) + "/" +
                       std::to_string(per_epoch) + " (global step " +
                       std::to_string(state_["global_step"].get<int64_t>()) + ")");
  const auto start = Clock::now();
  auto last_save = start;
  int64_t steps_here = 0;
  bool unsaved = false;  // a phase of 0 epochs moved the state on without an epoch end
  for (size_t pi = state_["phase"].get<size_t>(); pi < phases.size(); ++pi) {
    const PhaseOptions& p = phases[pi];
    if (state_["epoch"].get<int>() == 0 && state_["step"].get<int64_t>() == 0)
      start_phase(pi, /*fresh=*/true);
    for (int e = state_["epoch"].get<int>(); e < p.epochs; ++e) {
      const auto epoch_start = Clock::now();
      const double all_reduce_before = averager_ ? averager_->seconds() : 0;
      const int64_t global_epoch = state_["global_epoch"].get<int64_t>();
      // Inside an epoch when resuming from a mid-epoch checkpoint, else all 0.
      int64_t step = state_["step"].get<int64_t>();
      double loss_sum = state_["epoch_loss_sum"].get<double>();
      const double seconds_before = state_["epoch_seconds"].get<double>();
      loader_->start_epoch(global_epoch, step);
      double lr = 0;
      while (auto batch = loader_->next()) {
        const int64_t global_step = state_["global_step"].get<int64_t>();
        lr = learning_rate(p, e, step);
        for (auto& g : optimizer_->param_groups())
          static_cast<torch::optim::SGDOptions&>(g.options()).lr(lr);
        loss_sum += train_step(p, *batch, global_step);
        state_["global_step"] = global_step + 1;
        ++step;
        ++steps_here;
        StepInfo s;
        s.phase = p.name;
        s.phase_index = static_cast<int>(pi);
        s.phases = static_cast<int>(phases.size());
        s.epoch = e;
        s.epochs = p.epochs;
        s.step = step;
        s.steps_per_epoch = per_epoch;
        s.global_step = global_step + 1;
        s.total_steps = total_steps;
        s.loss = loss_sum / static_cast<double>(step);
        const double elapsed = seconds_since(start);
        s.images_per_s = static_cast<double>(steps_here * job_.train.batch_size) / elapsed;
        s.eta_s = elapsed / static_cast<double>(steps_here) *
                  static_cast<double>(total_steps - s.global_step);
        // The last step of an epoch is saved by end_epoch.
        if (checkpoint_s > 0 && step < per_epoch && seconds_since(last_save) >= checkpoint_s) {
          state_["step"] = step;
          state_["epoch_loss_sum"] = loss_sum;
          state_["epoch_seconds"] = seconds_before + seconds_since(epoch_start);
          if (writes()) save();
          last_save = Clock::now();
          if (callbacks_.on_checkpoint) callbacks_.on_checkpoint(s);
        }
        if (callbacks_.on_step) callbacks_.on_step(s);
      }
      EpochInfo info;
      info.phase = p.name;
      info.phase_index = static_cast<int>(pi);
      info.epoch = e;
      info.global_step = state_["global_step"].get<int64_t>();
      info.loss = step ? loss_sum / static_cast<double>(step) : 0;
      info.lr = lr;
      // Training time of the whole epoch, across a resume (without the evaluation).
      const double train_s = seconds_before + seconds_since(epoch_start);
      info.images_per_s = static_cast<double>(step * job_.train.batch_size) / train_s;
      // The position after this epoch is what a resumed run starts from.
      state_["global_epoch"] = global_epoch + 1;
      state_["epoch"] = e + 1 < p.epochs ? e + 1 : 0;
      state_["phase"] = e + 1 < p.epochs ? pi : pi + 1;
      state_["step"] = 0;
      state_["epoch_loss_sum"] = 0;
      state_["epoch_seconds"] = 0;
      info.seconds = train_s;
      if (averager_) info.all_reduce_seconds = averager_->seconds() - all_reduce_before;
      end_epoch(info);
      last_save = Clock::now();
      result.history.push_back(info);
      if (callbacks_.on_epoch) callbacks_.on_epoch(info);
    }
    if (p.epochs == 0) {
      state_["phase"] = pi + 1;
      unsaved = true;
    } else {
      unsaved = false;
    }
  }
  // A run whose last phases train nothing still ends with its checkpoint (a run of no epochs at
  // all: the initialised supernet, e.g. the teacher and data of a fine-tuning from scratch).
  if (unsaved && writes()) {
    save();
    write_log();
  }
  // No rank reports success before every rank has finished.
  if (group_) group_->barrier("the end of training");
  result.steps = steps_here;
  result.seconds = seconds_since(start);
  if (averager_) result.all_reduce_seconds = averager_->seconds();
  result.images_per_s =
      static_cast<double>(steps_here * job_.train.batch_size) / std::max(1e-9, result.seconds);
  return result;
}

}  // namespace tinynas::supernet
