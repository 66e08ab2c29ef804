#include "nas/arch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/json_reader.h"

namespace tinynas::nas {

using util::ObjectReader;

bool same_width(double a, double b) {
  return std::fabs(a - b) < 1e-6;
}

bool Arch::operator==(const Arch& o) const {
  return space == o.space && resolution == o.resolution && same_width(width_mult, o.width_mult) &&
         num_classes == o.num_classes && stages == o.stages;
}

std::string Arch::summary() const {
  char head[64];
  std::snprintf(head, sizeof head, "R%d W%g", resolution, width_mult);
  std::string text = head;
  for (const StageArch& stage : stages) {
    text += " |";
    for (const BlockArch& b : stage.blocks)
      text += " k" + std::to_string(b.kernel) + "e" + std::to_string(b.expand);
  }
  return text;
}

namespace {

std::vector<int> int_list(const nlohmann::json& value, const std::string& field) {
  if (!value.is_array()) throw std::invalid_argument(field + " must be an array of integers");
  std::vector<int> out;
  for (const auto& v : value) {
    if (!v.is_number_integer())
      throw std::invalid_argument(field + " must contain integers, got " + v.dump());
    out.push_back(v.get<int>());
  }
  return out;
}

}  // namespace

Arch arch_from_json(const nlohmann::json& json, const std::string& context) {
  ObjectReader r(json, context);
  Arch arch;
  arch.space = r.get<std::string>("space");
  arch.resolution = r.get<int>("resolution");
  arch.width_mult = r.get<double>("width_mult");
  arch.num_classes = r.get<int>("num_classes");
  const nlohmann::json& stages = r.at("stages");
  if (!stages.is_array()) r.fail("stages", "must be an array with one entry per stage");
  for (size_t i = 0; i < stages.size(); ++i) {
    const std::string where = context + ": stages[" + std::to_string(i) + "]";
    ObjectReader st(stages[i], where);
    const std::vector<int> kernel = int_list(st.at("kernel"), where + ".kernel");
    const std::vector<int> expand = int_list(st.at("expand"), where + ".expand");
    st.finish();
    if (kernel.size() != expand.size())
      throw std::invalid_argument(where + ": kernel has " + std::to_string(kernel.size()) +
                                  " entries but expand has " + std::to_string(expand.size()) +
                                  " (both list one value per block)");
    StageArch stage;
    for (size_t b = 0; b < kernel.size(); ++b) stage.blocks.push_back({kernel[b], expand[b]});
    arch.stages.push_back(std::move(stage));
  }
  r.finish();
  return arch;
}

nlohmann::json arch_to_json(const Arch& arch) {
  nlohmann::json stages = nlohmann::json::array();
  for (const StageArch& stage : arch.stages) {
    std::vector<int> kernel, expand;
    for (const BlockArch& b : stage.blocks) {
      kernel.push_back(b.kernel);
      expand.push_back(b.expand);
    }
    stages.push_back({{"kernel", kernel}, {"expand", expand}});
  }
  return {{"space", arch.space},
          {"resolution", arch.resolution},
          {"width_mult", arch.width_mult},
          {"num_classes", arch.num_classes},
          {"stages", stages}};
}

namespace {

std::string list_text(const std::vector<int>& values) {
  std::string text = "{";
  for (size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "}";
}

bool contains(const std::vector<int>& values, int v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

ArchFile load_arch_file(const std::string& path, const std::string& space_override,
                        const std::string& config_dir) {
  ArchFile f;
  f.arch = arch_from_json(util::read_json_file(path), path);
  if (!space_override.empty()) {
    f.space = load_space(space_override, config_dir);
  } else {
    try {
      f.space = load_space(f.arch.space, config_dir);
    } catch (const std::invalid_argument& e) {  // the arch file named it: say which file
      throw std::invalid_argument(path + ": 'space': " + e.what());
    }
  }
  try {
    validate(f.arch, f.space);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
  return f;
}

void validate(const Arch& arch, const SearchSpace& space) {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("arch: " + what); };
  if (arch.space != space.name)
    fail("belongs to space '" + arch.space + "', not to space '" + space.name + "'");
  if (arch.resolution <= 0 || arch.resolution > kMaxResolution)
    fail("'resolution' must be from 1 to " + std::to_string(kMaxResolution) + ", got " +
         std::to_string(arch.resolution));
  if (!(arch.width_mult > 0) || arch.width_mult > 4)
    fail("'width_mult' must be in (0, 4], got " + std::to_string(arch.width_mult));
  if (arch.num_classes <= 0)
    fail("'num_classes' must be positive, got " + std::to_string(arch.num_classes));
  if (arch.stages.size() != space.stages.size())
    fail("'stages' has " + std::to_string(arch.stages.size()) + " entries but space '" +
         space.name + "' has " + std::to_string(space.stages.size()) + " stages");
  for (size_t i = 0; i < arch.stages.size(); ++i) {
    const StageArch& stage = arch.stages[i];
    const StageSpec& spec = space.stages[i];
    const std::string where = "stages[" + std::to_string(i) + "]";
    if (!contains(spec.depths, stage.depth()))
      fail(where + " has depth " + std::to_string(stage.depth()) + ", expected one of " +
           list_text(spec.depths));
    for (size_t b = 0; b < stage.blocks.size(); ++b) {
      const BlockArch& block = stage.blocks[b];
      if (!contains(space.kernels_of(i), block.kernel))
        fail(where + ".kernel[" + std::to_string(b) + "] is " + std::to_string(block.kernel) +
             ", expected one of " + list_text(space.kernels_of(i)));
      if (!contains(space.expands_of(i), block.expand))
        fail(where + ".expand[" + std::to_string(b) + "] is " + std::to_string(block.expand) +
             ", expected one of " + list_text(space.expands_of(i)));
    }
  }
}

}  // namespace tinynas::nas
