using OpenCvSharp;
using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Lab.Cameras;

/// <summary>
/// A deterministic synthetic camera view: a textured static background and people-like objects moving on known paths.
/// Every frame is a pure function of (seed, options, seq), so any frame can be rendered in any order, on any thread,
/// and the same seed always gives the same JPEG bytes.
/// </summary>
public sealed class SyntheticScene
{
    // Objects are much darker or brighter than any background pixel, so "visible" has one clear meaning for scoring.
    private const int BackgroundMin = 80;
    private const int BackgroundMax = 170;

    private readonly byte[] background;
    private readonly SceneObject[] objects;

    public SyntheticScene(int seed, SyntheticSceneOptions? options = null)
    {
        Seed = seed;
        Options = options ?? SyntheticSceneOptions.Default;
        var random = new Random(seed);
        background = RenderBackground(random, Options.Width, Options.Height);
        objects = [.. Enumerable.Range(0, Options.ObjectCount).Select(i => CreateObject(random, Options, i))];
    }

    public int Seed { get; }

    public SyntheticSceneOptions Options { get; }

    public int Width => Options.Width;

    public int Height => Options.Height;

    /// <summary>True when frame <paramref name="seq"/> shows no objects (one of the occasional empty frames).</summary>
    public bool IsEmptyFrame(long seq) =>
        objects.Length == 0 || UnitInterval(Mix(Seed, seq, salt: 1)) < Options.EmptyFrameRate;

    /// <summary>The ground truth of frame <paramref name="seq"/> without rendering it.</summary>
    public GroundTruth TruthAt(long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        if (IsEmptyFrame(seq))
        {
            return new GroundTruth(seq, []);
        }

        return new GroundTruth(seq, [.. objects.Select(o =>
        {
            var (x, y) = o.PositionAt(seq, Width);
            return new BoundingBox(x, y, o.Width, o.Height);
        })]);
    }

    /// <summary>Renders frame <paramref name="seq"/> as a color JPEG (as a camera would send) with its ground truth.</summary>
    public RenderedFrame RenderFrame(long seq)
    {
        var truth = TruthAt(seq);
        using var canvas = new Mat(Height, Width, MatType.CV_8UC1);
        background.AsSpan().CopyTo(canvas.AsSpan<byte>());
        if (truth.Boxes.Count > 0)
        {
            for (var i = 0; i < objects.Length; i++)
            {
                Draw(canvas, objects[i], truth.Boxes[i]);
            }
        }

        using var frame = new Mat();
        canvas.ConvertTo(frame, MatType.CV_32FC1);
        if (Options.SensorNoise > 0)
        {
            using var noise = new Mat(Height, Width, MatType.CV_32FC1);
            // OpenCV's RNG with an explicit per-frame state: fast, and reproducible (unlike the process-global cv::theRNG).
            var rng = new RNG(unchecked((ulong)Mix(Seed, seq, salt: 2)) | 1);
            using var mean = InputArray.Create(new Scalar(0));
            using var sigma = InputArray.Create(new Scalar(Options.SensorNoise));
            rng.Fill(noise, DistributionType.Normal, mean, sigma);
            Cv2.Add(frame, noise, frame);
        }

        var drift = Options.BrightnessDrift * Math.Sin(2 * Math.PI * seq / Options.DriftPeriodFrames);
        using var gray = new Mat();
        frame.ConvertTo(gray, MatType.CV_8UC1, 1, drift); // rounds and saturates to 0..255
        using var color = new Mat();
        Cv2.CvtColor(gray, color, ColorConversionCodes.GRAY2BGR);
        Cv2.ImEncode(".jpg", color, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, Options.JpegQuality));
        return new RenderedFrame(jpeg, truth);
    }

    private static void Draw(Mat canvas, SceneObject sceneObject, BoundingBox box)
    {
        if (sceneObject.IsEllipse)
        {
            // An ellipse inscribed in the box: its extent equals the ground-truth box to within a pixel.
            var center = new Point2f(box.X + ((box.Width - 1) / 2f), box.Y + ((box.Height - 1) / 2f));
            var rotated = new RotatedRect(center, new Size2f(box.Width, box.Height), 0);
            Cv2.Ellipse(canvas, rotated, new Scalar(sceneObject.UpperGray), thickness: -1, lineType: LineTypes.Link8);
            return;
        }

        // Two tones, like a shirt over trousers, so an object is not one flat blob.
        var upper = box.Height * 11 / 20;
        Cv2.Rectangle(canvas, new Rect(box.X, box.Y, box.Width, upper), new Scalar(sceneObject.UpperGray), thickness: -1);
        Cv2.Rectangle(canvas, new Rect(box.X, box.Y + upper, box.Width, box.Height - upper), new Scalar(sceneObject.LowerGray), thickness: -1);
    }

    private static SceneObject CreateObject(Random random, SyntheticSceneOptions options, int index)
    {
        var (width, height) = (options.Width, options.Height);
        var (laneTop, laneBottom) = (0, height);
        if (options.SeparateLanes)
        {
            // A gap between lanes keeps objects in neighbouring lanes from touching.
            var gap = Math.Max(2, height / 60);
            laneTop = (index * height / options.ObjectCount) + gap;
            laneBottom = ((index + 1) * height / options.ObjectCount) - gap;
        }

        var objectHeight = Math.Min((int)Math.Round(height * Between(random, 0.14, 0.22)), laneBottom - laneTop);
        var objectWidth = Math.Max(3, (int)Math.Round(objectHeight * Between(random, 0.35, 0.5)));
        var isEllipse = random.NextDouble() < 0.4;
        var dark = random.NextDouble() < 0.5;
        byte Tone() => (byte)(dark ? random.Next(15, 51) : random.Next(205, 241));
        var upperGray = Tone();
        var lowerGray = Tone();
        var velocityX = Between(random, 0.004, 0.009) * width * (random.NextDouble() < 0.5 ? -1 : 1);
        var velocityY = Between(random, 0.001, 0.006) * height * (random.NextDouble() < 0.5 ? -1 : 1);
        return new SceneObject(
            isEllipse,
            objectWidth,
            objectHeight,
            StartX: random.NextDouble() * (width - objectWidth),
            StartY: laneTop + (random.NextDouble() * (laneBottom - laneTop - objectHeight)),
            MinY: laneTop,
            MaxY: laneBottom - objectHeight,
            velocityX,
            velocityY,
            upperGray,
            lowerGray);
    }

    private static byte[] RenderBackground(Random random, int width, int height)
    {
        using var canvas = new Mat(height, width, MatType.CV_32FC1);
        var pixels = canvas.AsSpan<float>();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = (float)(105 + (30.0 * x / width) + (20.0 * y / height));
            }
        }

        // Walls, windows, furniture: flat shapes whose edges give the model something to learn.
        var shapes = 12 + random.Next(12);
        for (var i = 0; i < shapes; i++)
        {
            var gray = new Scalar(random.Next(BackgroundMin, BackgroundMax + 1));
            var x = random.Next(width);
            var y = random.Next(height);
            if (random.NextDouble() < 0.5)
            {
                var rect = new Rect(x, y, random.Next(width / 20, width / 4), random.Next(height / 20, height / 4));
                Cv2.Rectangle(canvas, rect, gray, thickness: -1);
            }
            else
            {
                Cv2.Circle(canvas, new Point(x, y), random.Next(width / 40, width / 10), gray, thickness: -1);
            }
        }

        // Fine static texture (the same in every frame, unlike sensor noise).
        using var texture = new Mat(height, width, MatType.CV_32FC1);
        FillGaussian(texture.AsSpan<float>(), random, 8);
        Cv2.GaussianBlur(texture, texture, new Size(3, 3), 0);
        Cv2.Add(canvas, texture, canvas);
        Cv2.Max(canvas, BackgroundMin, canvas);
        Cv2.Min(canvas, BackgroundMax, canvas);

        using var result = new Mat();
        canvas.ConvertTo(result, MatType.CV_8UC1);
        return result.AsSpan<byte>().ToArray();
    }

    private static void FillGaussian(Span<float> values, Random random, double sigma)
    {
        // Box–Muller with System.Random(seed): reproducible across runs, unlike OpenCV's process-global RNG.
        for (var i = 0; i < values.Length; i += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var radius = sigma * Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length)
            {
                values[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
            }
        }
    }

    private static double Between(Random random, double min, double max) => min + (random.NextDouble() * (max - min));

    // SplitMix64 finalizer: a stable per-frame seed (HashCode.Combine is randomized per process).
    private static int Mix(int seed, long seq, int salt)
    {
        var z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)seq ^ ((ulong)salt * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return unchecked((int)z);
    }

    private static double UnitInterval(int value) => (uint)value / 4294967296.0;
}
