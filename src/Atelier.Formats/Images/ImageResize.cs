namespace Atelier.Formats.Images;

/// <summary>
/// Separable resampling of 8-bit images: rows first, then columns, in float32 on the stored (sRGB-encoded) values, as
/// PIL and the diffusion preprocessing do. Images with alpha are resampled premultiplied, so that the colour of fully
/// transparent pixels never bleeds into visible ones. Edges replicate the border pixel; results are rounded and clamped
/// (bicubic can overshoot). See <see cref="ResizeFilter"/> for which filter suits which direction.
/// </summary>
public static class ImageResize
{
    public static Image Resize(this Image image, int width, int height, ResizeFilter filter = ResizeFilter.Auto)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"Resize of {image} to {width}x{height}: the target must be at least 1x1.");
        if (width == image.Width && height == image.Height && filter == ResizeFilter.Auto)
            return image.Clone();

        int channels = image.Channels;
        bool alpha = image.HasAlpha;
        var source = ToFloat(image, alpha);                                  // [H, W, C], premultiplied when alpha
        var columns = AxisWeights.For(image.Width, width, filter);
        var rows = AxisWeights.For(image.Height, height, filter);

        var horizontal = new float[image.Height * width * channels];         // [H, W', C]
        for (int y = 0; y < image.Height; y++)
            columns.Apply(source.AsSpan(y * image.Width * channels, image.Width * channels), horizontal.AsSpan(y * width * channels, width * channels), channels);

        var vertical = new float[height * width * channels];                 // [H', W', C]
        rows.ApplyToRows(horizontal, vertical, width * channels);

        return ToBytes(vertical, width, height, channels, alpha);
    }

    private static float[] ToFloat(Image image, bool premultiply)
    {
        var values = new float[image.Pixels.Length];
        int channels = image.Channels;
        for (int i = 0; i < values.Length; i += channels)
        {
            float alpha = premultiply ? image.Pixels[i + channels - 1] / 255f : 1f;
            for (int c = 0; c < channels; c++)
            {
                bool isAlpha = premultiply && c == channels - 1;
                values[i + c] = isAlpha ? image.Pixels[i + c] : image.Pixels[i + c] * alpha;
            }
        }
        return values;
    }

    private static Image ToBytes(float[] values, int width, int height, int channels, bool premultiplied)
    {
        var image = new Image(width, height, channels);
        for (int i = 0; i < values.Length; i += channels)
        {
            float alpha = premultiplied ? Math.Clamp(values[i + channels - 1], 0f, 255f) : 255f;
            for (int c = 0; c < channels; c++)
            {
                float v = values[i + c];
                if (premultiplied)
                    v = c == channels - 1 ? alpha : alpha > 0f ? v * 255f / alpha : 0f;
                image.Pixels[i + c] = (byte)Math.Clamp(MathF.Round(v), 0f, 255f);
            }
        }
        return image;
    }

    /// <summary>For every output index along one axis: the first source index and the normalised weights of its taps.</summary>
    private sealed class AxisWeights
    {
        private readonly int[] _first;
        private readonly float[][] _weights;

        private AxisWeights(int[] first, float[][] weights)
        {
            _first = first;
            _weights = weights;
        }

        public static AxisWeights For(int source, int target, ResizeFilter filter)
        {
            var kind = filter != ResizeFilter.Auto ? filter : target < source ? ResizeFilter.Area : ResizeFilter.Bicubic;
            if (filter == ResizeFilter.Auto && target == source)
                return Identity(source);
            double scale = (double)source / target;
            var first = new int[target];
            var weights = new float[target][];
            var taps = new List<(int Index, double Weight)>();
            for (int j = 0; j < target; j++)
            {
                taps.Clear();
                if (kind == ResizeFilter.Area)
                {
                    // Output pixel j covers source interval [j·scale, (j+1)·scale).
                    double left = j * scale, right = (j + 1) * scale;
                    for (int i = (int)Math.Floor(left); i < Math.Min(source, (int)Math.Ceiling(right)); i++)
                        taps.Add((i, Math.Min(right, i + 1) - Math.Max(left, i)));
                }
                else
                {
                    // Pixel centres: output j sits at source coordinate (j + 0.5)·scale − 0.5.
                    double centre = (j + 0.5) * scale - 0.5;
                    int i0 = (int)Math.Floor(centre);
                    double t = centre - i0;
                    if (kind == ResizeFilter.Bilinear)
                    {
                        taps.Add((i0, 1 - t));
                        taps.Add((i0 + 1, t));
                    }
                    else
                    {
                        for (int k = -1; k <= 2; k++)
                            taps.Add((i0 + k, Keys(t - k)));
                    }
                }
                (first[j], weights[j]) = Normalise(taps, source);
            }
            return new AxisWeights(first, weights);
        }

        /// <summary>output[j·channels + c] = Σ_k w_k · input[(first + k)·channels + c], for each channel c.</summary>
        public void Apply(ReadOnlySpan<float> input, Span<float> output, int channels)
        {
            int pixel = channels;
            for (int j = 0; j < _first.Length; j++)
            {
                var w = _weights[j];
                for (int c = 0; c < channels; c++)
                {
                    float sum = 0f;
                    int s = _first[j] * pixel + c;
                    for (int k = 0; k < w.Length; k++, s += pixel)
                        sum += w[k] * input[s];
                    output[j * pixel + c] = sum;
                }
            }
        }

        /// <summary>
        /// The same weights along the other axis: output row j = Σ_k w_k · input row (first + k), whole rows at a time so
        /// that memory is read in order.
        /// </summary>
        public void ApplyToRows(ReadOnlySpan<float> input, Span<float> output, int rowLength)
        {
            for (int j = 0; j < _first.Length; j++)
            {
                var target = output.Slice(j * rowLength, rowLength);
                var w = _weights[j];
                for (int k = 0; k < w.Length; k++)
                {
                    var source = input.Slice((_first[j] + k) * rowLength, rowLength);
                    float weight = w[k];
                    for (int x = 0; x < rowLength; x++)
                        target[x] += weight * source[x];
                }
            }
        }

        /// <summary>Keys (1981) cubic convolution kernel with a = −0.5.</summary>
        private static double Keys(double x)
        {
            const double A = -0.5;
            x = Math.Abs(x);
            if (x < 1)
                return ((A + 2) * x - (A + 3)) * x * x + 1;
            if (x < 2)
                return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
            return 0;
        }

        private static AxisWeights Identity(int size)
            => new(Enumerable.Range(0, size).ToArray(), Enumerable.Range(0, size).Select(_ => new[] { 1f }).ToArray());

        /// <summary>Clamps taps to the image (edge replication), merges them into one contiguous run and scales the sum to 1.</summary>
        private static (int First, float[] Weights) Normalise(List<(int Index, double Weight)> taps, int size)
        {
            int lo = int.MaxValue, hi = int.MinValue;
            foreach (var (index, _) in taps)
            {
                int clamped = Math.Clamp(index, 0, size - 1);
                lo = Math.Min(lo, clamped);
                hi = Math.Max(hi, clamped);
            }
            var weights = new double[hi - lo + 1];
            double total = 0;
            foreach (var (index, weight) in taps)
            {
                weights[Math.Clamp(index, 0, size - 1) - lo] += weight;
                total += weight;
            }
            return (lo, weights.Select(w => (float)(w / total)).ToArray());
        }
    }
}
