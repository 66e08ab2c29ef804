// The ONNX export of the float sub-net (engine/onnx_export.h): the model passes ONNX's own checker
// with full shape inference (the C++ library, and Debian's python3-onnx when installed), its nodes
// and initializers are what the lowered graph implies, BN is folded into OIHW weights correctly,
// and the model computes the FloatInterpreter's logits. python3-onnx 1.12 has no onnx.reference
// (it came with 1.13), so the numerics test then evaluates the model with a small numpy evaluator
// of the six ONNX ops used, written from the operator spec; it reads the model file, not our
// graph, so it checks layouts, folding and attributes independently of the exporter.
#include "engine/onnx_export.h"

#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/float_interpreter.h"
#include "engine/random_weights.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "test_models.h"
#include "tests/nas/test_spaces.h"
#include "util/process.h"

namespace tinynas::engine {
namespace {

namespace fs = std::filesystem;

const char* const kPython = "/usr/bin/python3";

// Lowest resolution, lowest width, 10 classes: small but with every op kind of the spaces.
memory::Graph small_graph(uint64_t seed) {
  const nas::SearchSpace& space = nas::testing::shipped_space("mcunet");
  nas::Rng rng(seed);
  nas::Arch arch =
      nas::sample_arch(space, space.resolutions.front(), space.width_mults.front(), rng);
  arch.num_classes = 10;
  return nas::lower(arch, space);
}

// stem -> max pool (kernel, stride, pad) -> 1x1 -> global pool -> classifier.
memory::Graph max_pool_graph(int kernel, int stride, int pad) {
  using memory::Activation;
  using memory::LayerRole;
  using memory::OpType;
  memory::Graph g;
  int x = g.add_input({19, 17, 3});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 8, 3, 1, Activation::kNone);
  x = g.add_max_pool(-1, x, kernel, stride, pad);
  x = g.add_conv(OpType::kConv2d, LayerRole::kProject, 0, x, 6, 1, 1, Activation::kRelu6);
  x = g.add_global_avg_pool(x);
  g.set_output(g.add_linear(x, 10));
  return g;
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("tinynas_onnx_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_floats(const fs::path& path, const std::vector<float>& v) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  ASSERT_TRUE(f.good()) << path;
}

// Empty when /usr/bin/python3 with the onnx module can run; otherwise why not (for GTEST_SKIP).
std::string python_onnx_missing() {
  if (!util::program_available(kPython)) return std::string(kPython) + " is not installed";
  util::ProcessOptions opts;
  opts.timeout_s = 60;
  const util::ProcessResult r = util::run_process({kPython, "-c", "import onnx, numpy"}, opts);
  if (r.timed_out) return std::string(kPython) + " -c 'import onnx' timed out";
  if (r.exit_code != 0)
    return std::string(kPython) + " has no onnx/numpy module (install python3-onnx): " + r.err;
  return "";
}

// check MODEL: onnx.checker.check_model(full_check=True).
// numerics MODEL INPUT EXPECTED: runs the model on INPUT (float32 NCHW) and compares with EXPECTED.
const char* const kScript = R"PY(
import sys
import numpy as np
import onnx
from onnx import numpy_helper

mode, path = sys.argv[1], sys.argv[2]
m = onnx.load(path)
if mode == "check":
    onnx.checker.check_model(m, full_check=True)
    print("checker: ok, %d nodes, opset %d, ir %d" % (len(m.graph.node), m.opset_import[0].version, m.ir_version))
    sys.exit(0)

def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

def conv(x, w, b, a):
    s, p, g = a["strides"], a["pads"], a.get("group", 1)
    assert list(a.get("dilations", [1, 1])) == [1, 1]
    assert list(a["kernel_shape"]) == list(w.shape[2:])
    n, c, h, wd = x.shape
    o, ig, kh, kw = w.shape
    assert c == ig * g
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
    oh = (h + p[0] + p[2] - kh) // s[0] + 1
    ow = (wd + p[1] + p[3] - kw) // s[1] + 1
    xg = xp.reshape(n, g, ig, xp.shape[2], xp.shape[3])
    wg = w.reshape(g, o // g, ig, kh, kw)
    y = np.zeros((n, g, o // g, oh, ow))
    for ky in range(kh):
        for kx in range(kw):
            patch = xg[:, :, :, ky:ky + s[0] * (oh - 1) + 1:s[0], kx:kx + s[1] * (ow - 1) + 1:s[1]]
            y += np.einsum("goi,ngiyx->ngoyx", wg[:, :, :, ky, kx], patch)
    return y.reshape(n, o, oh, ow) + b.reshape(1, o, 1, 1)

def max_pool(x, a):
    (kh, kw), s, p = a["kernel_shape"], a["strides"], a["pads"]
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])), constant_values=-np.inf)
    oh = (h + p[0] + p[2] - kh) // s[0] + 1
    ow = (wd + p[1] + p[3] - kw) // s[1] + 1
    y = np.full((n, c, oh, ow), -np.inf)
    for ky in range(kh):
        for kx in range(kw):
            y = np.maximum(y, xp[:, :, ky:ky + s[0] * (oh - 1) + 1:s[0], kx:kx + s[1] * (ow - 1) + 1:s[1]])
    return y

def run_numpy(m, x):
    t = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in m.graph.initializer}
    t[m.graph.input[0].name] = x.astype(np.float64)
    for node in m.graph.node:
        a, ins = attrs(node), [t[i] for i in node.input]
        if node.op_type == "Conv":
            y = conv(ins[0], ins[1], ins[2], a)
        elif node.op_type == "Clip":
            y = np.minimum(np.maximum(ins[0], ins[1]), ins[2])
        elif node.op_type == "Add":
            y = ins[0] + ins[1]
        elif node.op_type == "MaxPool":
            y = max_pool(ins[0], a)
        elif node.op_type == "GlobalAveragePool":
            y = ins[0].mean(axis=(2, 3), keepdims=True)
        elif node.op_type == "Flatten":
            y = ins[0].reshape(int(np.prod(ins[0].shape[:a.get("axis", 1)])), -1)
        elif node.op_type == "Gemm":
            assert a.get("alpha", 1.0) == 1.0 and a.get("beta", 1.0) == 1.0 and not a.get("transA", 0)
            w = ins[1].T if a.get("transB", 0) else ins[1]
            y = ins[0] @ w + ins[2]
        else:
            raise SystemExit("numpy evaluator: unexpected op " + node.op_type)
        t[node.output[0]] = y
    return t[m.graph.output[0].name]

shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
x = np.fromfile(sys.argv[3], dtype="<f4").reshape(shape)
expected = np.fromfile(sys.argv[4], dtype="<f4")
try:
    from onnx.reference import ReferenceEvaluator
    y, how = ReferenceEvaluator(m).run(None, {"input": x})[0], "onnx.reference"
except ImportError:
    y, how = run_numpy(m, x), "numpy evaluator (onnx %s has no onnx.reference)" % onnx.__version__
y = np.asarray(y).reshape(-1)
err = float(np.max(np.abs(y - expected)))
tol = 1e-3 * max(1.0, float(np.max(np.abs(expected))))
print("numerics: %s, %d logits, max |error| %.3g (tolerance %.3g)" % (how, y.size, err, tol))
sys.exit(0 if y.size == expected.size and err <= tol else 3)
)PY";

util::ProcessResult run_script(const fs::path& dir, const std::vector<std::string>& args) {
  const fs::path script = dir / "check_onnx.py";
  std::ofstream(script) << kScript;
  std::vector<std::string> argv{kPython, script.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  util::ProcessOptions opts;
  opts.timeout_s = 300;
  return util::run_process(argv, opts);
}

TEST(OnnxExport, NodesAndInitializersFollowTheGraph) {
  const memory::Graph g = small_graph(3);
  const memory::FloatWeights w = random_float_weights(g, 3);
  const onnx::ModelProto m = make_onnx_model(g, w);
  EXPECT_EQ(m.ir_version(), onnx::IR_VERSION);
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).version(), 13);

  std::vector<std::string> expected_ops;
  std::map<std::string, std::vector<int64_t>> expected_shapes;
  bool clip = false;
  for (const memory::Op& op : g.ops()) {
    const std::string n = op.name();
    const int out = g.tensor(op.output).shape.c;
    switch (op.type) {
      case memory::OpType::kConv2d:
        expected_ops.push_back("Conv");
        expected_shapes[n + ".weight"] = {out, g.op_in_channels(op), op.kernel, op.kernel};
        expected_shapes[n + ".bias"] = {out};
        break;
      case memory::OpType::kDepthwiseConv2d:
        expected_ops.push_back("Conv");
        expected_shapes[n + ".weight"] = {out, 1, op.kernel, op.kernel};
        expected_shapes[n + ".bias"] = {out};
        break;
      case memory::OpType::kAdd:
        expected_ops.push_back("Add");
        break;
      case memory::OpType::kGlobalAvgPool:
        expected_ops.push_back("GlobalAveragePool");
        break;
      case memory::OpType::kLinear:
        expected_ops.push_back("Flatten");
        expected_ops.push_back("Gemm");
        expected_shapes[n + ".weight"] = {out, g.op_in_channels(op)};
        expected_shapes[n + ".bias"] = {out};
        break;
      case memory::OpType::kMaxPool2d:
        expected_ops.push_back("MaxPool");
        break;
    }
    if (op.activation == memory::Activation::kRelu6) {
      expected_ops.push_back("Clip");
      clip = true;
    }
  }
  ASSERT_TRUE(clip);
  expected_shapes["relu6.min"] = {};
  expected_shapes["relu6.max"] = {};

  std::vector<std::string> ops;
  for (const onnx::NodeProto& n : m.graph().node()) ops.push_back(n.op_type());
  EXPECT_EQ(ops, expected_ops);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const onnx::TensorProto& t : m.graph().initializer()) {
    shapes[t.name()] = std::vector<int64_t>(t.dims().begin(), t.dims().end());
    int64_t n = 1;
    for (int64_t d : t.dims()) n *= d;
    EXPECT_EQ(t.float_data_size(), n) << t.name();
  }
  EXPECT_EQ(shapes, expected_shapes);

  const memory::Shape in = g.tensor(g.input()).shape;
  const auto dims = [](const onnx::ValueInfoProto& v) {
    std::vector<int64_t> d;
    for (const auto& x : v.type().tensor_type().shape().dim()) d.push_back(x.dim_value());
    return d;
  };
  ASSERT_EQ(m.graph().input_size(), 1);
  EXPECT_EQ(m.graph().input(0).name(), "input");
  EXPECT_EQ(dims(m.graph().input(0)), (std::vector<int64_t>{1, in.c, in.h, in.w}));
  ASSERT_EQ(m.graph().output_size(), 1);
  EXPECT_EQ(m.graph().output(0).name(), "logits");
  EXPECT_EQ(dims(m.graph().output(0)), (std::vector<int64_t>{1, 10}));
}

TEST(OnnxExport, FoldsBatchNormIntoOihwWeights) {
  const memory::Graph g = small_graph(4);
  const memory::FloatWeights w = random_float_weights(g, 4);
  const onnx::ModelProto m = make_onnx_model(g, w);
  const memory::LayerWeights& stem = *w.find("stem");
  const int out = stem.weight.shape[0], k = stem.weight.shape[1], in = stem.weight.shape[3];
  const onnx::TensorProto* weight = nullptr;
  const onnx::TensorProto* bias = nullptr;
  for (const onnx::TensorProto& t : m.graph().initializer()) {
    if (t.name() == "stem.weight") weight = &t;
    if (t.name() == "stem.bias") bias = &t;
  }
  ASSERT_TRUE(weight && bias);
  ASSERT_TRUE(stem.bn.has_value());
  for (int o = 0; o < out; ++o) {
    const auto oc = static_cast<size_t>(o);
    const double s = stem.bn->gamma[oc] / std::sqrt(double{stem.bn->var[oc]} + stem.bn->eps);
    EXPECT_NEAR(bias->float_data(o), stem.bn->beta[oc] - stem.bn->mean[oc] * s, 1e-5);
    for (int ky = 0; ky < k; ++ky)
      for (int kx = 0; kx < k; ++kx)
        for (int i = 0; i < in; ++i)
          EXPECT_NEAR(weight->float_data(((o * in + i) * k + ky) * k + kx),
                      stem.weight.data[((oc * k + ky) * k + kx) * in + i] * s, 1e-5);
  }
}

TEST(OnnxExport, PassesTheCppCheckerWithStrictShapeInference) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const memory::Graph g = small_graph(seed);
    onnx::ModelProto m = make_onnx_model(g, random_float_weights(g, seed));
    EXPECT_NO_THROW(onnx::checker::check_model(m)) << "seed " << seed;
    // full_check: types checked, node-level inference errors thrown, and every declared value_info
    // must agree with the inferred shapes.
    EXPECT_NO_THROW(onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(),
                                                       onnx::ShapeInferenceOptions(true, 1, false)))
        << "seed " << seed;
  }
}

TEST(OnnxExport, PassesThePythonCheckerWithFullCheck) {
  const std::string missing = python_onnx_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  const fs::path dir = temp_dir("check");
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const memory::Graph g = small_graph(seed);
    const fs::path path = dir / ("model" + std::to_string(seed) + ".onnx");
    write_onnx_model(path.string(), g, random_float_weights(g, seed));
    const util::ProcessResult r = run_script(dir, {"check", path.string()});
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::printf("seed %llu: %s", static_cast<unsigned long long>(seed), r.out.c_str());
  }
  fs::remove_all(dir);
}

// The exported model run by the numpy evaluator (or onnx.reference) equals FloatInterpreter.
void expect_same_logits(const memory::Graph& g, uint64_t seed, const std::string& dir_name) {
  const fs::path dir = temp_dir(dir_name);
  const memory::FloatWeights w = random_float_weights(g, seed);
  const fs::path path = dir / "model.onnx";
  write_onnx_model(path.string(), g, w);
  const std::vector<float> hwc = testing::random_float_inputs(g, 1, seed).front();
  const std::vector<float> logits = FloatInterpreter(g, w).run(hwc);
  const memory::Shape s = g.tensor(g.input()).shape;
  std::vector<float> nchw(hwc.size());
  for (int c = 0; c < s.c; ++c)
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x)
        nchw[(static_cast<size_t>(c) * s.h + y) * s.w + x] =
            hwc[(static_cast<size_t>(y) * s.w + x) * s.c + c];
  write_floats(dir / "input.bin", nchw);
  write_floats(dir / "expected.bin", logits);
  const util::ProcessResult r = run_script(
      dir,
      {"numerics", path.string(), (dir / "input.bin").string(), (dir / "expected.bin").string()});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::printf("seed %llu: %s", static_cast<unsigned long long>(seed), r.out.c_str());
  fs::remove_all(dir);
}

TEST(OnnxExport, ComputesTheFloatInterpretersLogits) {
  const std::string missing = python_onnx_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  for (uint64_t seed = 5; seed <= 6; ++seed)
    expect_same_logits(small_graph(seed), seed, "numerics");
}

TEST(OnnxExport, MaxPoolingComputesTheFloatInterpretersLogits) {
  const std::string missing = python_onnx_missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  expect_same_logits(max_pool_graph(3, 2, 1), 7, "maxpool_3_2_1");
  expect_same_logits(max_pool_graph(2, 2, 0), 8, "maxpool_2_2_0");
}

TEST(OnnxExport, MaxPoolingPassesTheCppChecker) {
  const memory::Graph g = max_pool_graph(3, 2, 1);
  onnx::ModelProto m = make_onnx_model(g, random_float_weights(g, 1));
  EXPECT_NO_THROW(onnx::checker::check_model(m));
  EXPECT_NO_THROW(onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(),
                                                     onnx::ShapeInferenceOptions(true, 1, false)));
  bool found = false;
  for (const onnx::NodeProto& n : m.graph().node()) found |= n.op_type() == "MaxPool";
  EXPECT_TRUE(found);
}

TEST(OnnxExport, UnwritableOutputNamesThePath) {
  const fs::path dir = temp_dir("unwritable");
  const fs::path blocker = dir / "not_a_folder";
  std::ofstream(blocker) << "x";  // a file where a folder should be: fails even as root
  const std::string path = (blocker / "model.onnx").string();
  const memory::Graph g = small_graph(1);
  try {
    write_onnx_model(path, g, random_float_weights(g, 1));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(OnnxExport, WeightsOfAnotherGraphAreRejected) {
  const memory::Graph g = small_graph(1);
  memory::FloatWeights w = random_float_weights(g, 1);
  w.layers.front().weight.shape[0] += 1;
  EXPECT_THROW(make_onnx_model(g, w), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::engine
