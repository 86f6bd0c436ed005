using Atelier.Tensors;

namespace Atelier.Nn.Tests;

public class InitTests
{
    private sealed class Net : Module
    {
        public Net()
        {
            Proj = Add("proj", new Linear(64, 32));
            Conv = Add("conv", new Conv2d(8, 16, 3, groups: 2));
            Norm = Add("norm", new LayerNorm(32));
            Group = Add("group", new GroupNorm(4, 16));
            Tokens = Add("tokens", new Embedding(100, 32));
            Scale = AddParameter("scale", [1]);
        }

        public Linear Proj { get; }
        public Conv2d Conv { get; }
        public LayerNorm Norm { get; }
        public GroupNorm Group { get; }
        public Embedding Tokens { get; }
        public Parameter Scale { get; }
    }

    [Fact]
    public void Default_follows_pytorch_reset_parameters()
    {
        var net = new Net();
        Init.Default(net, new TorchGenerator(0));

        float[] w = net.Proj.Weight.Value.ToFloatArray();
        float bound = 1f / MathF.Sqrt(64);
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.9f * bound && w.Min() < -0.9f * bound, "uniform values should fill ±1/√fan_in");
        Assert.All(net.Proj.Bias!.Value.ToFloatArray(), v => Assert.InRange(v, -bound, bound));

        float convBound = 1f / MathF.Sqrt(4 * 3 * 3);   // fan_in = in/groups · k · k
        float[] cw = net.Conv.Weight.Value.ToFloatArray();
        Assert.All(cw, v => Assert.InRange(v, -convBound, convBound));
        Assert.True(cw.Max() > 0.9f * convBound);

        Assert.All(net.Norm.Weight!.Value.ToFloatArray(), v => Assert.Equal(1f, v));
        Assert.All(net.Norm.Bias!.Value.ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.All(net.Group.Weight!.Value.ToFloatArray(), v => Assert.Equal(1f, v));

        float[] e = net.Tokens.Weight.Value.ToFloatArray();
        double mean = e.Average(), std = Math.Sqrt(e.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.1, 0.1);
        Assert.InRange(std, 0.9, 1.1);

        Assert.False(net.Scale.HasValue);   // a module's own parameters are its own business
    }

    [Fact]
    public void Same_seed_gives_same_values_and_seeds_differ()
    {
        var a = new Net();
        var b = new Net();
        var c = new Net();
        Init.Default(a, new TorchGenerator(3));
        Init.Default(b, new TorchGenerator(3));
        Init.Default(c, new TorchGenerator(4));
        Assert.Equal(a.Proj.Weight.Value.ToFloatArray(), b.Proj.Weight.Value.ToFloatArray());
        Assert.Equal(a.Tokens.Weight.Value.ToFloatArray(), b.Tokens.Weight.Value.ToFloatArray());
        Assert.NotEqual(a.Proj.Weight.Value.ToFloatArray(), c.Proj.Weight.Value.ToFloatArray());
    }

    [Fact]
    public void Uniform_matches_torch_uniform_from_the_same_generator()
    {
        // torch.manual_seed(0); torch.empty(5).uniform_(-2, 3) draws rand() and maps it to low + (high − low)·u.
        var p = new Parameter([5]) { };
        Init.Uniform(p, new TorchGenerator(0), -2f, 3f);
        float[] u = new TorchGenerator(0).Rand(5);
        Assert.Equal(u.Select(x => -2f + 5f * x).ToArray(), p.Value.ToFloatArray());
    }

    [Fact]
    public void Normal_and_constant_fill_and_check_their_arguments()
    {
        var p = new Parameter([4000]);
        Init.Normal(p, new TorchGenerator(1), 2, 0.02);
        float[] v = p.Value.ToFloatArray();
        Assert.InRange(v.Average(), 1.99, 2.01);
        Init.Constant(p, 0.5f);
        Assert.All(p.Value.ToFloatArray(), x => Assert.Equal(0.5f, x));
        Assert.Throws<ArgumentException>(() => Init.Normal(p, new TorchGenerator(1), 0, -1));
        Assert.Throws<ArgumentException>(() => Init.Uniform(p, new TorchGenerator(1), 1, 0));
    }
}
