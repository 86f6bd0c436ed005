using Atelier.Formats.Images;

namespace Atelier.Training.Data;

/// <summary>Decodes a data-set PNG (any colour type, depth or interlace) to RGBA8 with the project's PNG codec.</summary>
public static class DataSetPng
{
    /// <param name="png">The file's bytes.</param>
    /// <param name="name">Names the file in error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid PNG.</exception>
    public static RgbaImage Decode(byte[] png, string name)
    {
        try
        {
            Image image = PngDecoder.Decode(png).Image.ToRgba();
            return new RgbaImage(image.Width, image.Height, image.Pixels);
        }
        catch (PngFormatException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }
    }
}
