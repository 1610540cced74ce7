namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>An axis-aligned box in pixel coordinates: <see cref="X"/>, <see cref="Y"/> is the top-left corner.</summary>
public readonly record struct BoundingBox
{
    public BoundingBox(int x, int y, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        X = x;
        Y = y;
        Width = width;
        Height = height;
    }

    public int X { get; }

    public int Y { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Exclusive right edge.</summary>
    public int Right => X + Width;

    /// <summary>Exclusive bottom edge.</summary>
    public int Bottom => Y + Height;

    public long Area => (long)Width * Height;

    /// <summary>Intersection over union, 0 for disjoint or empty boxes.</summary>
    public double IntersectionOverUnion(BoundingBox other)
    {
        var width = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        var height = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (width <= 0 || height <= 0)
        {
            return 0;
        }

        var intersection = (long)width * height;
        return (double)intersection / (Area + other.Area - intersection);
    }

    /// <summary>The box in an image resized by (<paramref name="scaleX"/>, <paramref name="scaleY"/>), edges rounded to pixels.</summary>
    public BoundingBox Scale(double scaleX, double scaleY)
    {
        if (!(scaleX > 0) || !(scaleY > 0) || double.IsInfinity(scaleX) || double.IsInfinity(scaleY))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleX), "Scale factors must be positive and finite.");
        }

        // Scale the edges, not the size, so adjacent boxes stay adjacent after rounding.
        var left = Round(X * scaleX);
        var top = Round(Y * scaleY);
        var right = Round(Right * scaleX);
        var bottom = Round(Bottom * scaleY);
        return new BoundingBox(left, top, right - left, bottom - top);
    }

    private static int Round(double value) => (int)Math.Round(value, MidpointRounding.AwayFromZero);

    public override string ToString() => $"[{X},{Y} {Width}x{Height}]";
}
