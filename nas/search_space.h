// A search space of MBConv networks (MCUNet / OFA style), loaded from configs/spaces/NAME.json:
// base widths and strides, the fixed stem and first block, the per-block kernel / expansion
// choices, the per-stage depth choices, the (resolution, width) grid TinyNAS optimises over, and
// the head.
//
//   SearchSpace space = load_space("mcunet", config_dir);
//   int c = space.channels(space.stages[2].base_channels, 0.5);   // make_divisible(80 * 0.5)
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinynas::nas {

// The largest input resolution any space, arch or sub-space may have. Microcontroller inputs are
// far smaller; much larger ones overflow the 32-bit shapes of the cost model and the engine.
constexpr int kMaxResolution = 4096;

// Rounds v to the nearest multiple of divisor (ties up), never below divisor, and adds one more
// divisor if rounding lost more than 10 % (MobileNet / OFA convention).
int make_divisible(double v, int divisor);

struct StageSpec {
  int base_channels = 0;
  int stride = 1;
  std::vector<int> depths;  // allowed depths, ascending
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
  int first_block_base_channels = 16;  // fixed block: depthwise kxk then linear 1x1, no residual
  int first_block_kernel = 3;
  std::vector<StageSpec> stages;
  std::vector<int> kernels;  // ascending
  std::vector<int> expands;  // ascending
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
  int max_blocks() const;  // blocks after the first one, at maximum depth
};

SearchSpace space_from_json(const nlohmann::json& json, const std::string& context);
nlohmann::json space_to_json(const SearchSpace& space);

// name_or_path: a name under <config_dir>/spaces/ ("mcunet") or a path to a .json file.
SearchSpace load_space(const std::string& name_or_path, const std::string& config_dir);

}  // namespace tinynas::nas
