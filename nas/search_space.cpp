#include "nas/search_space.h"

#include <algorithm>
#include <cmath>

#include "util/json_reader.h"

namespace tinynas::nas {

using util::ObjectReader;

int make_divisible(double v, int divisor) {
  int rounded = static_cast<int>(v + divisor / 2.0) / divisor * divisor;
  rounded = std::max(divisor, rounded);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

const char* to_string(BlockKind kind) {
  switch (kind) {
    case BlockKind::kMBConv:
      return "mbconv";
    case BlockKind::kResidual:
      return "residual";
  }
  return "?";
}

int SearchSpace::feature_mix_channels(double width_mult) const {
  if (feature_mix_base_channels == 0) return 0;
  return feature_mix_scales_with_width ? channels(feature_mix_base_channels, width_mult)
                                       : feature_mix_base_channels;
}

namespace {

// The union of one choice list over the stages, ascending.
std::vector<int> all_choices(const SearchSpace& space,
                             const std::vector<int>& (SearchSpace::*choices_of)(size_t) const) {
  std::vector<int> out;
  for (size_t s = 0; s < space.stages.size(); ++s) {
    const std::vector<int>& choices = (space.*choices_of)(s);
    out.insert(out.end(), choices.begin(), choices.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::vector<int> SearchSpace::all_kernels() const {
  return all_choices(*this, &SearchSpace::kernels_of);
}

std::vector<int> SearchSpace::all_expands() const {
  return all_choices(*this, &SearchSpace::expands_of);
}

int SearchSpace::max_blocks() const {
  int blocks = 0;
  for (const StageSpec& s : stages) blocks += s.max_depth();
  return blocks;
}

namespace {

std::vector<int> positive_ints(ObjectReader& r, const std::string& key, bool odd) {
  const nlohmann::json& value = r.at(key);
  if (!value.is_array() || value.empty()) r.fail(key, "must be a non-empty array of integers");
  std::vector<int> out;
  for (const auto& v : value) {
    if (!v.is_number_integer() || v.get<int>() <= 0)
      r.fail(key, "must contain positive integers, got " + v.dump());
    if (odd && v.get<int>() % 2 == 0) r.fail(key, "must contain odd kernel sizes, got " + v.dump());
    out.push_back(v.get<int>());
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) r.fail(key, "has duplicates");
  return out;
}

// A grid is either an explicit array or {"min", "max", "step"}.
template <typename T>
std::vector<T> grid(ObjectReader& r, const std::string& key) {
  const nlohmann::json& value = r.at(key);
  std::vector<T> out;
  if (value.is_array()) {
    for (const auto& v : value) {
      if (!v.is_number() || v.get<double>() <= 0)
        r.fail(key, "must contain positive numbers, got " + v.dump());
      out.push_back(v.get<T>());
    }
  } else {
    if (!value.is_object())
      r.fail(key, std::string("must be an array or {\"min\", \"max\", \"step\"}, got ") +
                      util::json_type_name(value));
    ObjectReader g(value, r.context() + " " + key);
    const double lo = g.get<double>("min"), hi = g.get<double>("max"), step = g.get<double>("step");
    g.finish();
    if (lo <= 0 || hi < lo || step <= 0) r.fail(key, "needs 0 < min <= max and step > 0");
    const int n = static_cast<int>(std::floor((hi - lo) / step + 1e-6)) + 1;
    for (int i = 0; i < n; ++i) {
      const double v = lo + i * step;
      if constexpr (std::is_integral_v<T>) {
        out.push_back(static_cast<T>(std::lround(v)));
      } else {
        out.push_back(std::round(v * 1e6) / 1e6);  // 0.30000000000000004 -> 0.3
      }
    }
  }
  if (out.empty()) r.fail(key, "must not be empty");
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

SearchSpace space_from_json(const nlohmann::json& json, const std::string& context) {
  ObjectReader r(json, context);
  SearchSpace s;
  s.name = r.get<std::string>("name");
  s.description = r.optional<std::string>("description", "");
  s.input_channels = r.optional<int>("input_channels", 3);
  s.num_classes = r.get<int>("num_classes");
  s.channel_divisor = r.optional<int>("channel_divisor", 8);
  if (s.input_channels <= 0) r.fail("input_channels", "must be positive");
  if (s.num_classes <= 0) r.fail("num_classes", "must be positive");
  if (s.channel_divisor <= 0) r.fail("channel_divisor", "must be positive");
  {
    ObjectReader stem(r.at("stem"), context + " stem");
    s.stem_base_channels = stem.get<int>("channels");
    s.stem_kernel = stem.optional<int>("kernel", 3);
    s.stem_stride = stem.optional<int>("stride", 2);
    stem.finish();
    if (s.stem_base_channels <= 0 || s.stem_kernel <= 0 || s.stem_kernel % 2 == 0 ||
        (s.stem_stride != 1 && s.stem_stride != 2))
      r.fail("stem", "needs positive channels, an odd kernel and stride 1 or 2");
  }
  s.first_block_base_channels = 0;  // absent: the stem feeds the first stage
  if (r.has("first_block")) {
    ObjectReader first(r.at("first_block"), context + " first_block");
    s.first_block_base_channels = first.get<int>("channels");
    s.first_block_kernel = first.optional<int>("kernel", 3);
    first.finish();
    if (s.first_block_base_channels <= 0 || s.first_block_kernel % 2 == 0)
      r.fail("first_block", "needs positive channels and an odd kernel");
  }
  // The space's kernels and expansions are the choices of every stage that lists none.
  if (r.has("kernels")) s.kernels = positive_ints(r, "kernels", true);
  if (r.has("expands")) s.expands = positive_ints(r, "expands", false);
  const nlohmann::json& stages = r.at("stages");
  if (!stages.is_array() || stages.empty()) r.fail("stages", "must be a non-empty array");
  for (size_t i = 0; i < stages.size(); ++i) {
    ObjectReader st(stages[i], context + " stages[" + std::to_string(i) + "]");
    StageSpec spec;
    spec.base_channels = st.get<int>("channels");
    spec.stride = st.get<int>("stride");
    spec.depths = positive_ints(st, "depth", false);
    const std::string block = st.optional<std::string>("block", "mbconv");
    if (block == "residual") {
      spec.block = BlockKind::kResidual;
    } else if (block != "mbconv") {
      st.fail("block", "must be \"mbconv\" or \"residual\", got \"" + block + "\"");
    }
    if (st.has("kernels")) spec.kernels = positive_ints(st, "kernels", true);
    if (st.has("expands")) spec.expands = positive_ints(st, "expands", false);
    if (spec.kernels.empty() && s.kernels.empty())
      st.fail("kernels", "is missing here and in the space");
    if (spec.expands.empty() && s.expands.empty())
      st.fail("expands", "is missing here and in the space");
    st.finish();
    if (spec.base_channels <= 0) st.fail("channels", "must be positive");
    if (spec.stride != 1 && spec.stride != 2) st.fail("stride", "must be 1 or 2");
    s.stages.push_back(spec);
  }
  s.resolutions = grid<int>(r, "resolutions");
  if (s.resolutions.back() > kMaxResolution)
    r.fail("resolutions", "must be at most " + std::to_string(kMaxResolution) + ", got " +
                              std::to_string(s.resolutions.back()));
  s.width_mults = grid<double>(r, "width_mults");
  if (r.has("feature_mix")) {
    ObjectReader mix(r.at("feature_mix"), context + " feature_mix");
    s.feature_mix_base_channels = mix.get<int>("channels");
    s.feature_mix_scales_with_width = mix.optional<bool>("scale_with_width", true);
    mix.finish();
    if (s.feature_mix_base_channels <= 0) r.fail("feature_mix", "channels must be positive");
  }
  r.finish();
  return s;
}

nlohmann::json space_to_json(const SearchSpace& s) {
  nlohmann::json stages = nlohmann::json::array();
  for (const StageSpec& st : s.stages) {
    nlohmann::json stage = {
        {"channels", st.base_channels}, {"stride", st.stride}, {"depth", st.depths}};
    // Only what the stage says itself, so MBConv-only spaces read as they always did.
    if (st.block != BlockKind::kMBConv) stage["block"] = to_string(st.block);
    if (!st.kernels.empty()) stage["kernels"] = st.kernels;
    if (!st.expands.empty()) stage["expands"] = st.expands;
    stages.push_back(stage);
  }
  nlohmann::json j = {
      {"name", s.name},
      {"description", s.description},
      {"input_channels", s.input_channels},
      {"num_classes", s.num_classes},
      {"channel_divisor", s.channel_divisor},
      {"stem",
       {{"channels", s.stem_base_channels}, {"kernel", s.stem_kernel}, {"stride", s.stem_stride}}},
      {"stages", stages},
      {"resolutions", s.resolutions},
      {"width_mults", s.width_mults},
  };
  if (!s.kernels.empty()) j["kernels"] = s.kernels;
  if (!s.expands.empty()) j["expands"] = s.expands;
  if (s.has_first_block())
    j["first_block"] = {{"channels", s.first_block_base_channels},
                        {"kernel", s.first_block_kernel}};
  if (s.feature_mix_base_channels > 0)
    j["feature_mix"] = {{"channels", s.feature_mix_base_channels},
                        {"scale_with_width", s.feature_mix_scales_with_width}};
  return j;
}

SearchSpace load_space(const std::string& name_or_path, const std::string& config_dir) {
  const std::string path =
      util::resolve_named_config(name_or_path, config_dir, "spaces", "search space");
  return space_from_json(util::read_json_file(path), "space " + path);
}

}  // namespace tinynas::nas
