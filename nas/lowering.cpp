#include "nas/lowering.h"

#include "nas/mbconv.h"

namespace tinynas::nas {

namespace {

int add_conv(memory::Graph& graph, const ConvLayer& l, int input) {
  return graph.add_conv(l.type, l.role, l.block, input, l.out_channels, l.kernel, l.stride,
                        l.activation);
}

}  // namespace

void lower(const Arch& arch, const SearchSpace& space, memory::Graph& graph) {
  graph.clear();
  const NetworkTopology t = network_topology(arch, space);
  int x = graph.add_input({t.resolution, t.resolution, t.input_channels});
  x = add_conv(graph, t.stem, x);
  for (const MBConvBlock& block : t.blocks) {
    const int block_input = x;
    for (const ConvLayer& layer : block.layers()) x = add_conv(graph, layer, x);
    if (block.residual) x = graph.add_residual(block.index, block_input, x);
  }
  if (t.feature_mix) x = add_conv(graph, *t.feature_mix, x);
  x = graph.add_global_avg_pool(x);
  x = graph.add_linear(x, t.num_classes);
  graph.set_output(x);
}

memory::Graph lower(const Arch& arch, const SearchSpace& space) {
  memory::Graph graph;
  lower(arch, space, graph);
  return graph;
}

}  // namespace tinynas::nas
