#include "nas/lowering.h"

#include "nas/network_topology.h"

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
  for (const NetworkBlock& block : t.blocks) {
    // The projection runs first: the block's input then dies at conv1, the skip is the smaller
    // strided tensor while the body runs.
    const int skip = block.projection ? add_conv(graph, block.shortcut(), x) : x;
    for (const ConvLayer& layer : block.layers()) x = add_conv(graph, layer, x);
    if (block.residual) x = graph.add_residual(block.index, skip, x, block.add_activation());
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
