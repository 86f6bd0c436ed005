using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

public sealed class MiniClipTests
{
    [Theory]
    [InlineData(MiniClipImageTowers.ResNet)]
    [InlineData(MiniClipImageTowers.Vit)]
    public void Image_embeddings_are_unit_vectors_of_the_joint_size(string tower)
    {
        MiniClip model = MiniClipFixture.Create(tower);
        Tensor embeddings = model.EncodeImages(MiniClipFixture.Images(3, 16, seed: 1));   // [3, 16]

        Assert.Equal(new Shape(3, model.Config.EmbedDim), embeddings.Shape);
        float[] values = embeddings.ToFloatArray();
        for (int b = 0; b < 3; b++)
            Assert.Equal(1.0, Math.Sqrt(values.Skip(b * 16).Take(16).Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public void Images_at_twice_the_model_size_are_averaged_down_first()
    {
        MiniClip model = MiniClipFixture.Create(MiniClipImageTowers.ResNet);
        Tensor large = MiniClipFixture.Images(2, 32, seed: 3);                   // [2, 3, 32, 32]
        float[] l = large.ToFloatArray();
        var small = new float[2 * 3 * 16 * 16];
        for (int p = 0; p < 2 * 3; p++)
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                {
                    int o = p * 1024 + 2 * y * 32 + 2 * x;
                    small[p * 256 + y * 16 + x] = (l[o] + l[o + 1] + l[o + 32] + l[o + 33]) / 4;
                }

        float[] fromLarge = model.EncodeImages(large).ToFloatArray();
        float[] fromSmall = model.EncodeImages(Tensor.FromArray(small, [2, 3, 16, 16])).ToFloatArray();

        for (int i = 0; i < fromLarge.Length; i++)
            Assert.True(Math.Abs(fromSmall[i] - fromLarge[i]) < 2e-5f, $"{i}: {fromSmall[i]} vs {fromLarge[i]}");
    }

    [Fact]
    public void Image_size_not_a_multiple_of_the_model_size_is_rejected_with_the_shapes()
    {
        MiniClip model = MiniClipFixture.Create(MiniClipImageTowers.ResNet);
        var e = Assert.Throws<TensorShapeException>(() => model.EncodeImages(MiniClipFixture.Images(1, 24, seed: 1)));
        Assert.Contains("[1, 3, 24, 24]", e.Message);
        Assert.Contains("multiple of 16", e.Message);
    }

    [Fact]
    public void Text_encoding_gives_unit_pooled_embeddings_and_padded_tokens_with_a_mask()
    {
        MiniClip model = MiniClipFixture.Create(MiniClipImageTowers.ResNet);
        string[] captions = ["red circle, twemoji style", "pizza", MiniClipFixture.Captions[^1]];

        var (pooled, tokens, mask) = model.EncodeText(captions);

        Assert.Equal(new Shape(3, 16), pooled.Shape);
        Assert.Equal(new Shape(3, 8, 32), tokens.Shape);
        Assert.Equal(new Shape(3, 8), mask.Shape);
        float[] m = mask.ToFloatArray();
        int[] lengths = Enumerable.Range(0, 3).Select(b => (int)m.Skip(b * 8).Take(8).Sum()).ToArray();
        int[] expected = captions.Select(c => Math.Min(model.Tokenizer!.Encode(c).Length + 2, 8)).ToArray();
        Assert.Equal(expected, lengths);
        Assert.Equal(8, lengths[2]);   // truncated to the context
        float[] t = tokens.ToFloatArray();
        Assert.All(t.Skip(1 * 8 * 32 + lengths[1] * 32).Take((8 - lengths[1]) * 32), v => Assert.Equal(0f, v));
        Assert.Contains(t.Skip(1 * 8 * 32).Take(lengths[1] * 32), v => v != 0f);
    }

    [Fact]
    public void Positions_after_the_eos_do_not_change_a_caption_s_embedding()
    {
        MiniClip model = MiniClipFixture.Create(MiniClipImageTowers.ResNet);
        float[] alone = model.EncodeText(["pizza"]).Pooled.ToFloatArray();
        float[] batched = model.EncodeText(["pizza", "a very long caption about a cat"]).Pooled.ToFloatArray();
        for (int i = 0; i < alone.Length; i++)
            Assert.Equal(alone[i], batched[i], 5);
    }

    [Theory]
    [InlineData(MiniClipImageTowers.ResNet)]
    [InlineData(MiniClipImageTowers.Vit)]
    public void Gradients_reach_every_parameter(string tower)
    {
        MiniClip model = MiniClipFixture.Create(tower);
        foreach (var (_, p) in model.NamedParameters())
            p.Value = p.Value.RequireGrad();
        Tensor images = model.ImageEmbeddings(MiniClipFixture.Images(4, 16, seed: 5));
        var (texts, _) = model.TextEmbeddings(model.Tokenize(MiniClipFixture.Captions[..4]));

        MiniClip.ContrastiveLoss(images, texts, model.Temperature()).Loss.Backward();

        foreach (var (name, p) in model.NamedParameters())
        {
            Tensor? grad = p.Value.Grad;
            Assert.True(grad is not null, $"{name} received no gradient");
            if (name.Contains("token_embedding", StringComparison.Ordinal)) continue;   // only the rows of used tokens
            Assert.True(grad!.ToFloatArray().Any(v => v != 0), $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void Contrastive_loss_matches_a_hand_computed_value()
    {
        // unit vectors: images i0 = (1, 0), i1 = (0, 1); texts t0 = (0.6, 0.8), t1 = (0, 1); scale 2.
        Tensor images = Tensor.FromArray([1f, 0f, 0f, 1f], [2, 2]);
        Tensor texts = Tensor.FromArray([0.6f, 0.8f, 0f, 1f], [2, 2]);
        // logits = 2 · I Tᵀ = [[1.2, 0], [1.6, 2]]
        static double Ce(double target, double other) => -target + Math.Log(Math.Exp(target) + Math.Exp(other));
        double rows = (Ce(1.2, 0) + Ce(2, 1.6)) / 2;       // image → text: row i, target column i
        double columns = (Ce(1.2, 1.6) + Ce(2, 0)) / 2;    // text → image: column j, target row j
        double expected = (rows + columns) / 2;

        var (loss, logits) = MiniClip.ContrastiveLoss(images, texts, Tensor.Scalar(2f));

        Assert.Equal(expected, loss.Item(), 5);
        Assert.Equal([1.2f, 0f, 1.6f, 2f], logits.ToFloatArray());
    }

    [Fact]
    public void Temperature_starts_at_the_clip_value_and_is_clamped_at_the_maximum()
    {
        MiniClip model = MiniClipFixture.Create(MiniClipImageTowers.ResNet);
        Assert.Equal(1 / 0.07f, model.Temperature().Item(), 3);
        model.LogitScale.Value = Tensor.Scalar(10f);
        Assert.Equal(100f, model.Temperature().Item(), 3);
    }

    [Fact]
    public void Contrastive_loss_rejects_mismatched_embeddings_with_both_shapes()
    {
        var e = Assert.Throws<TensorShapeException>(() => MiniClip.ContrastiveLoss(Tensor.Zeros([2, 4]), Tensor.Zeros([3, 4]), Tensor.Scalar(1f)));
        Assert.Contains("[2, 4]", e.Message);
        Assert.Contains("[3, 4]", e.Message);
    }

    [Fact]
    public void Config_round_trips_through_json_and_rejects_unknown_keys()
    {
        MiniClipConfig config = MiniClipConfig.Default with { ImageSize = 32, ContextLength = 40 };
        Assert.Equal(config.ToJson(), MiniClipConfig.FromJson(config.ToJson(), "clip.json").ToJson());
        var e = Assert.Throws<InvalidDataException>(() => MiniClipConfig.FromJson("{\"image_sise\": 32}", "clip.json"));
        Assert.Contains("clip.json", e.Message);
    }

    [Fact]
    public void Retrieval_counts_top1_and_top1_among_10()
    {
        // 12 pairs; texts equal images except pair 0, whose text points at image 1.
        int n = 12;
        var images = new float[n * n];
        for (int i = 0; i < n; i++) images[i * n + i] = 1;
        float[] texts = (float[])images.Clone();
        texts[0] = 0;
        texts[1] = 1;
        string[] captions = Enumerable.Range(0, n).Select(i => $"c{i}").ToArray();

        var result = MiniClipRetrieval.Measure(Tensor.FromArray(images, [n, n]), Tensor.FromArray(texts, [n, n]), captions);

        Assert.Equal(11.0 / 12, result.Top1, 6);
        Assert.Equal(1.0, result.Top5, 6);   // pair 0: only image 1 beats its target (the rest tie at 0)
        Assert.True(result.Top1Among10 >= 11.0 / 12 && result.Top1Among10 < 1, $"among 10: {result.Top1Among10}");
    }
}
