using Atelier.Formats.Tokenizers;
using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

/// <summary>Tiny CLIP-minis with a byte-level BPE learned from a handful of captions (512 byte symbols + merges).</summary>
internal static class MiniClipFixture
{
    public static readonly string[] Captions =
    [
        "red circle, twemoji style", "blue square, noto style", "green triangle", "yellow star, fluent flat style",
        "woman running: medium skin tone", "pizza, cheese", "a very long caption about a cat sitting on a mat in the sun",
    ];

    public static ClipTokenizer Tokenizer(int contextLength = 8) =>
        new BpeTrainer(new BpeTrainerOptions { VocabularySize = 560, ModelMaxLength = contextLength, MinPairFrequency = 1 })
            .Train(Captions).ToTokenizer();

    public static MiniClip Create(string tower, ulong seed = 7)
    {
        ClipTokenizer tokenizer = Tokenizer();
        var model = new MiniClip(MiniClipConfig.Tiny(tower) with { VocabSize = tokenizer.VocabularySize }) { Tokenizer = tokenizer };
        model.Initialize(new TorchGenerator(seed));
        return model;
    }

    public static Tensor Images(int count, int size, ulong seed)
    {
        var generator = new TorchGenerator(seed);
        float[] values = generator.Rand([count, 3, size, size]);
        for (int i = 0; i < values.Length; i++) values[i] = 2 * values[i] - 1;
        return Tensor.FromArray(values, [count, 3, size, size]);
    }
}
