using System.Diagnostics;
using Atelier.Formats.Images;
using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Data;
using Atelier.Training.Mini;

namespace Atelier.Training.Evaluation;

/// <summary>
/// <c>atelier eval</c>: how well atelier-mini follows held-out captions (concepts never seen in training), measured
/// with CLIP-mini. The held-out split is cut into two disjoint halves A (even rows) and B (odd rows).
/// (1) Retrieval: for each caption of A, one image is generated; its CLIP image embedding is compared with the text
/// embeddings of that caption and of 9 other held-out captions (of other concepts, drawn with a fixed seed); top-1
/// counts a hit when the true caption scores highest (chance 10%). The same is measured with the real image.
/// (2) Fréchet distance between the CLIP image embeddings of the images generated for A and the real images of B,
/// next to the distance between the real images of A and of B (the floor for sets of this size).
/// (3) Variations: for held-out images, one variation each; a hit when its embedding is closer (cosine) to the input's
/// than to a random training image's. (4) A contact sheet of fixed prompts. Every seed is fixed: the numbers repeat.
/// </summary>
public static class MiniEvaluation
{
    public const int Candidates = 10;

    /// <summary>Prompts of the contact sheet (4 × 4).</summary>
    public static readonly string[] SheetPrompts =
    [
        "red apple, twemoji style", "cat face, noto style", "rocket, fluent 3d style", "house, fluent flat style",
        "smiling face with sunglasses, twemoji style", "evergreen tree, noto style", "sun, fluent flat style", "dog face, fluent 3d style",
        "woman running: medium skin tone, twemoji style", "pizza, noto style", "red heart, fluent 3d style", "automobile, fluent flat style",
        "House, clip art style, building", "Cartoon Cat, clip art style, mammal, animal", "guitar, fluent 3d style, music, instrument", "Sun, clip art style, weather",
    ];

    public static MiniEvaluationResult Run(MiniPipeline pipeline, MiniDataSplit heldOut, MiniDataSplit train, int maxQueries, int variations,
        string contactSheetPath, MiniGenerateOptions options, Action<string>? log = null)
    {
        IMiniClipEncoder clip = pipeline.Clip;
        int[] halfA = Enumerable.Range(0, heldOut.Count).Where(i => i % 2 == 0).Take(maxQueries).ToArray();
        int[] halfB = Enumerable.Range(0, heldOut.Count).Where(i => i % 2 == 1).Take(halfA.Length).ToArray();
        int n = Math.Min(halfA.Length, halfB.Length);
        halfA = halfA[..n];
        int d = clip.EmbeddingDim;

        // Real image embeddings of A and B.
        float[] realA = EncodeRows(clip, heldOut, halfA), realB = EncodeRows(clip, heldOut, halfB);

        // (1) + (2): one generated image per caption of A.
        var generated = new float[n * d];
        var clock = Stopwatch.StartNew();
        for (int q = 0; q < n; q++)
        {
            Image image = pipeline.Generate(heldOut.Rows[halfA[q]].Caption, options with { Seed = options.Seed + (ulong)q });
            using var scope = TensorScope.Begin();
            using var noGrad = Autograd.NoGrad();
            clip.EncodeImages(MiniImageOps.ToTensor(image)).ToFloatArray().CopyTo(generated, q * d);
            if ((q + 1) % 50 == 0) log?.Invoke($"eval: generated {q + 1}/{n} ({clock.Elapsed.TotalSeconds / (q + 1):F2} s/image)");
        }
        double secondsPerImage = clock.Elapsed.TotalSeconds / Math.Max(1, n);
        var candidateRng = new Random(1234);
        int hits = 0, realHits = 0;
        for (int q = 0; q < n; q++)
        {
            ManifestRow row = heldOut.Rows[halfA[q]];
            var captions = new List<string> { row.Caption };
            var others = halfA.Where(i => heldOut.Rows[i].Concept != row.Concept && heldOut.Rows[i].Caption != row.Caption).ToArray();
            while (captions.Count < Candidates && others.Length >= Candidates - 1)
            {
                string c = heldOut.Rows[others[candidateRng.Next(others.Length)]].Caption;
                if (!captions.Contains(c)) captions.Add(c);
            }
            float[] texts = EncodeTexts(clip, captions);
            if (ArgMaxCosine(generated.AsSpan(q * d, d), texts, d) == 0) hits++;
            if (ArgMaxCosine(realA.AsSpan(q * d, d), texts, d) == 0) realHits++;
        }
        log?.Invoke("eval: retrieval done; Fréchet distances…");
        double fdGenerated = FrechetDistance.Compute(generated, n, realB, n, d);
        double fdReal = FrechetDistance.Compute(realA, n, realB, n, d);

        // (3) Variations of held-out images (B half) against a random training image each.
        var pick = new Random(99);
        int closer = 0, m = Math.Min(variations, halfB.Length);
        double cosineSum = 0;
        for (int v = 0; v < m; v++)
        {
            int row = halfB[v];
            Image input = RowImage(heldOut, row);
            Image variation = pipeline.Vary(input, options with { Seed = options.Seed + 100_000 + (ulong)v });
            Image randomTrain = RowImage(train, pick.Next(train.Count));
            float[] e;
            float[] eIn, eRandom;
            using (TensorScope.Begin())
            using (Autograd.NoGrad())
            {
                e = clip.EncodeImages(MiniImageOps.ToTensor(variation)).ToFloatArray();
                eIn = clip.EncodeImages(MiniImageOps.ToTensor(input)).ToFloatArray();
                eRandom = clip.EncodeImages(MiniImageOps.ToTensor(randomTrain)).ToFloatArray();
            }
            double toInput = Dot(e, eIn), toRandom = Dot(e, eRandom);
            cosineSum += toInput;
            if (toInput > toRandom) closer++;
        }

        // (4) Contact sheet.
        WriteContactSheet(pipeline, contactSheetPath, options);
        return new MiniEvaluationResult
        {
            RetrievalQueries = n,
            RetrievalCandidates = Candidates,
            RetrievalTop1 = (double)hits / n,
            RealImageRetrievalTop1 = (double)realHits / n,
            FrechetSetSize = n,
            FrechetGeneratedVsReal = fdGenerated,
            FrechetRealVsReal = fdReal,
            Variations = m,
            VariationsCloserToInput = m == 0 ? double.NaN : (double)closer / m,
            VariationMeanCosine = m == 0 ? double.NaN : cosineSum / m,
            SecondsPerImage = secondsPerImage,
            ContactSheet = contactSheetPath,
        };
    }

    /// <summary>Generates <see cref="SheetPrompts"/> (seed = options' seed) and writes them as a 4x4 grid PNG with 4-pixel white gutters.</summary>
    public static void WriteContactSheet(MiniPipeline pipeline, string path, MiniGenerateOptions options)
    {
        const int columns = 4, size = MiniImageOps.ImageSize, gutter = 4;
        int rows = (SheetPrompts.Length + columns - 1) / columns;
        int width = columns * size + (columns + 1) * gutter, height = rows * size + (rows + 1) * gutter;
        var sheet = new Image(width, height, 3);
        Array.Fill(sheet.Pixels, (byte)255);
        for (int i = 0; i < SheetPrompts.Length; i++)
        {
            Image tile = pipeline.Generate(SheetPrompts[i], options);
            int x0 = gutter + (i % columns) * (size + gutter), y0 = gutter + (i / columns) * (size + gutter);
            for (int y = 0; y < size; y++)
                tile.Pixels.AsSpan(y * size * 3, size * 3).CopyTo(sheet.Pixels.AsSpan(((y0 + y) * width + x0) * 3, size * 3));
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, Atelier.Formats.Images.PngEncoder.Encode(sheet));
    }

    private static Image RowImage(MiniDataSplit split, int row) => new(split.Images.Size, split.Images.Size, 3, split.Images.Pixels(row).ToArray());

    private static float[] EncodeRows(IMiniClipEncoder clip, MiniDataSplit split, int[] rows)
    {
        var result = new List<float>();
        for (int start = 0; start < rows.Length; start += 64)
        {
            using var scope = TensorScope.Begin();
            using var noGrad = Autograd.NoGrad();
            result.AddRange(clip.EncodeImages(split.Images.Batch(rows[start..Math.Min(rows.Length, start + 64)])).ToFloatArray());
        }
        return result.ToArray();
    }

    private static float[] EncodeTexts(IMiniClipEncoder clip, IReadOnlyList<string> captions)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = Autograd.NoGrad();
        return clip.EncodeText(captions).Embeddings.ToFloatArray();
    }

    private static int ArgMaxCosine(ReadOnlySpan<float> query, float[] candidates, int d)
    {
        int best = -1;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < candidates.Length / d; c++)
        {
            double score = 0;
            for (int i = 0; i < d; i++) score += query[i] * candidates[c * d + i];
            if (score > bestScore) { bestScore = score; best = c; }
        }
        return best;
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
