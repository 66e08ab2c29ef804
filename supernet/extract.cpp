#include "supernet/extract.h"

#include "nas/lowering.h"

namespace tinynas::supernet {
namespace {

using memory::LayerWeights;
using memory::OpType;

std::vector<float> values(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// OIHW -> OHWI (the weights format's layout, matching HWC activations).
memory::FloatTensor ohwi(const torch::Tensor& w) {
  const torch::Tensor t = w.detach().permute({0, 2, 3, 1});
  return {{static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), static_cast<int>(t.size(2)),
           static_cast<int>(t.size(3))},
          values(t)};
}

memory::BatchNorm bn_of(const DynamicBatchNorm2d& bn, int64_t channels) {
  memory::BatchNorm out;
  out.gamma = values(bn->weight.slice(0, 0, channels));
  out.beta = values(bn->bias.slice(0, 0, channels));
  out.mean = values(bn->running_mean.slice(0, 0, channels));
  out.var = values(bn->running_var.slice(0, 0, channels));
  out.eps = static_cast<float>(bn->eps);
  return out;
}

LayerWeights conv(const std::string& name, OpType type, const torch::Tensor& weight,
                  const DynamicBatchNorm2d& bn) {
  LayerWeights l;
  l.name = name;
  l.type = type;
  l.weight = ohwi(weight);
  l.bn = bn_of(bn, weight.size(0));
  return l;
}

}  // namespace

memory::FloatWeights extract_weights(OFANetwork& net, const nas::Arch& arch) {
  net->set_active(arch);
  torch::NoGradGuard no_grad;
  memory::FloatWeights w;
  w.arch = nas::arch_to_json(arch);
  const auto pointwise = [](const DynamicConv2d& c, int64_t in, int64_t out) {
    return c->active_weight(in, out);
  };
  auto& L = w.layers;
  L.push_back(conv("stem", OpType::kConv2d, net->stem->weight, net->stem_bn));
  const int64_t stem_c = net->stem->weight.size(0);
  L.push_back(conv("b0.dw", OpType::kDepthwiseConv2d,
                   net->first_dw->active_filter(stem_c, net->first_dw->kernels.back()),
                   net->first_dw_bn));
  L.push_back(
      conv("b0.project", OpType::kConv2d, net->first_project->weight, net->first_project_bn));
  int block = 0;
  for (size_t s = 0; s < net->stages.size(); ++s) {
    for (int b = 0; b < arch.stages[s].depth(); ++b) {
      const DynamicMBConv& m = net->stages[s][static_cast<size_t>(b)];
      const std::string prefix = "b" + std::to_string(++block) + ".";
      const int64_t mid = m->active_middle();
      L.push_back(conv(prefix + "expand", OpType::kConv2d,
                       pointwise(m->expand, m->in_channels, mid), m->expand_bn));
      L.push_back(conv(prefix + "dw", OpType::kDepthwiseConv2d,
                       m->dw->active_filter(mid, m->active_kernel()), m->dw_bn));
      L.push_back(conv(prefix + "project", OpType::kConv2d,
                       pointwise(m->project, mid, m->out_channels), m->project_bn));
    }
  }
  if (net->mix) L.push_back(conv("mix", OpType::kConv2d, net->mix->weight, net->mix_bn));
  LayerWeights fc;
  fc.name = "classifier";
  fc.type = OpType::kLinear;
  const torch::Tensor fw = net->classifier->weight;
  fc.weight = {{static_cast<int>(fw.size(0)), static_cast<int>(fw.size(1))}, values(fw)};
  fc.bias = memory::FloatTensor{{static_cast<int>(fw.size(0))}, values(net->classifier->bias)};
  L.push_back(std::move(fc));
  // The names and shapes must be exactly what the lowered graph expects.
  memory::check_weights_match(nas::lower(arch, net->space()), w);
  return w;
}

}  // namespace tinynas::supernet
