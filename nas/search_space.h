// A search space of MBConv networks (MCUNet / OFA style), loaded from configs/spaces/NAME.json:
// base widths and strides, the fixed stem and optional first block, each stage's block kind
// (MBConv, or the residual ResNet basic block), kernel / expansion choices and depth choices,
// the (resolution, width) grid TinyNAS optimises over, and the head.
//
//   SearchSpace space = load_space("mcunet", config_dir);
//   int c = space.channels(space.stages[2].base_channels, 0.5);   // make_divisible(80 * 0.5)
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tinynas::nas {

// The largest input resolution any space, arch or sub-space may have. Microcontroller inputs are
// far smaller; much larger ones overflow the 32-bit shapes of the cost model and the engine.
constexpr int kMaxResolution = 4096;

// Rounds v to the nearest multiple of divisor (ties up), never below divisor, and adds one more
// divisor if rounding lost more than 10 % (MobileNet / OFA convention).
int make_divisible(double v, int divisor);

enum class BlockKind {
  kMBConv,    // 1x1 expand, kxk depthwise, linear 1x1 project (MobileNetV2)
  kResidual,  // two kxk convolutions and a shortcut, ReLU6 after the sum (ResNet basic block)
};
const char* to_string(BlockKind kind);

struct StageSpec {
  StageSpec() = default;
  StageSpec(int base_channels_, int stride_, std::vector<int> depths_,
            BlockKind block_ = BlockKind::kMBConv)
      : base_channels(base_channels_), stride(stride_), depths(std::move(depths_)), block(block_) {}

  int base_channels = 0;
  int stride = 1;
  std::vector<int> depths;  // allowed depths, ascending
  // Allowed kernels and expansions, ascending; empty: the space's (see SearchSpace::kernels_of).
  // MBConv's middle channels are in * e, a residual block's out * e.
  std::vector<int> kernels;
  std::vector<int> expands;
  BlockKind block = BlockKind::kMBConv;
  int max_depth() const { return depths.back(); }
  int min_depth() const { return depths.front(); }
};

struct SearchSpace {
  std::string name;
  std::string description;
  int input_channels = 3;
  int num_classes = 1000;
  int channel_divisor = 8;
  int stem_base_channels = 32;
  int stem_kernel = 3;
  int stem_stride = 2;
  // Fixed block: depthwise kxk then linear 1x1, no residual; 0 channels: no first block.
  int first_block_base_channels = 16;
  int first_block_kernel = 3;
  std::vector<StageSpec> stages;
  // The kernels and expansions of every stage that lists none of its own, ascending.
  std::vector<int> kernels;
  std::vector<int> expands;
  std::vector<int> resolutions;
  std::vector<double> width_mults;
  int feature_mix_base_channels = 0;  // 0: no feature-mix layer (MCUNet)
  bool feature_mix_scales_with_width = true;

  int channels(int base, double width_mult) const {
    return make_divisible(base * width_mult, channel_divisor);
  }
  int middle_channels(int in_channels, int expand) const {
    return make_divisible(static_cast<double>(in_channels) * expand, channel_divisor);
  }
  int feature_mix_channels(double width_mult) const;
  bool has_first_block() const { return first_block_base_channels > 0; }
  // The kernels and expansions stage `stage` allows.
  const std::vector<int>& kernels_of(size_t stage) const {
    return stages[stage].kernels.empty() ? kernels : stages[stage].kernels;
  }
  const std::vector<int>& expands_of(size_t stage) const {
    return stages[stage].expands.empty() ? expands : stages[stage].expands;
  }
  // Every kernel and expansion some stage allows, ascending.
  std::vector<int> all_kernels() const;
  std::vector<int> all_expands() const;
  int max_blocks() const;  // blocks after the first one, at maximum depth
};

SearchSpace space_from_json(const nlohmann::json& json, const std::string& context);
nlohmann::json space_to_json(const SearchSpace& space);

// name_or_path: a name under <config_dir>/spaces/ ("mcunet") or a path to a .json file.
SearchSpace load_space(const std::string& name_or_path, const std::string& config_dir);

}  // namespace tinynas::nas
