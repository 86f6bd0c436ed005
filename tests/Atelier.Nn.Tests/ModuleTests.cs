using Atelier.Tensors;

namespace Atelier.Nn.Tests;

public class ModuleTests
{
    private sealed class Block : Module
    {
        public Block()
        {
            Norm = Add("norm", new GroupNorm(2, 4));
            Proj = Add("proj", new Linear(4, 3));
            Layers = Add("layers", new ModuleList<Linear>([new Linear(3, 3, bias: false), new Linear(3, 2)]));
        }

        public GroupNorm Norm { get; }
        public Linear Proj { get; }
        public ModuleList<Linear> Layers { get; }
    }

    private static Dictionary<string, Tensor> WeightsFor(Module m) =>
        m.NamedParameters().ToDictionary(p => p.Key, p => Tensor.Full(p.Value.Shape, 0.5));

    [Fact]
    public void Parameter_paths_follow_registration_names_in_order()
    {
        var names = new Block().NamedParameters().Select(p => p.Key).ToArray();
        Assert.Equal(["norm.weight", "norm.bias", "proj.weight", "proj.bias", "layers.0.weight", "layers.1.weight", "layers.1.bias"], names);
    }

    [Fact]
    public void Parameter_count_sums_elements()
    {
        Assert.Equal(4 + 4 + 12 + 3 + 9 + 6 + 2, new Block().ParameterCount);
    }

    [Fact]
    public void Load_assigns_tensors_without_copying()
    {
        var block = new Block();
        var weights = WeightsFor(block);
        block.LoadWeights(weights, "test.safetensors");
        Assert.Same(weights["proj.weight"], block.Proj.Weight.Value);
    }

    [Fact]
    public void Load_keeps_half_precision_weights_half()
    {
        var block = new Block();
        var weights = WeightsFor(block);
        weights["proj.weight"] = Tensor.Full([3, 4], 0.25, DType.F16);
        block.LoadWeights(weights, "test.safetensors");
        Assert.Equal(DType.F16, block.Proj.Weight.Value.DType);
    }

    [Fact]
    public void Strict_load_names_every_missing_unexpected_and_misshaped_tensor()
    {
        var block = new Block();
        var weights = WeightsFor(block);
        weights.Remove("layers.1.bias");
        weights["proj.weight"] = Tensor.Zeros([4, 3]);
        weights["extra.thing"] = Tensor.Zeros([7]);
        var error = Assert.Throws<WeightLoadException>(() => block.LoadWeights(weights, "model.safetensors"));
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("layers.1.bias [2]", error.Message);
        Assert.Contains("proj.weight: file has [4, 3], model expects [3, 4]", error.Message);
        Assert.Contains("extra.thing [7]", error.Message);
        Assert.Single(error.Missing);
        Assert.Single(error.Unexpected);
        Assert.Single(error.Mismatched);
        Assert.False(block.Proj.Bias!.HasValue); // nothing assigned when the load fails
    }

    [Fact]
    public void Ignored_names_are_reported_not_rejected()
    {
        var block = new Block();
        var weights = WeightsFor(block);
        weights["position_ids"] = Tensor.Zeros([1, 77], DType.I64);
        var ignored = block.LoadWeights(weights, "m", name => name == "position_ids");
        Assert.Equal(["position_ids"], ignored);
    }

    [Fact]
    public void Reading_an_unloaded_parameter_names_it()
    {
        var block = new Block();
        block.AssignParameterNames();
        var error = Assert.Throws<InvalidOperationException>(() => block.Proj.Forward(Tensor.Zeros([1, 4])));
        Assert.Contains("proj.weight", error.Message);
    }

    [Fact]
    public void Linear_forward_matches_definition()
    {
        var linear = new Linear(2, 3);
        linear.LoadWeights(new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], [3, 2]),
            ["bias"] = Tensor.FromArray([0.5f, -0.5f, 1f], [3]),
        }, "m");
        var y = linear.Forward(Tensor.FromArray([1f, -1f], [1, 2])).ToFloatArray();
        Assert.Equal([1 - 2 + 0.5f, 3 - 4 - 0.5f, 5 - 6 + 1f], y);
    }

    [Fact]
    public void Duplicate_registration_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Duplicate());
    }

    private sealed class Duplicate : Module
    {
        public Duplicate()
        {
            Add("a", new Linear(1, 1));
            Add("a", new Linear(1, 1));
        }
    }
}
