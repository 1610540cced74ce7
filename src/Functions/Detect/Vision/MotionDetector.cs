using OpenCvSharp;

namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>
/// Background-subtraction motion detector. Stateless: the background model comes in with the frame and the updated
/// model goes out with the detections, so the same frame and model always give the same result wherever it runs.
/// </summary>
public sealed class MotionDetector
{
    private readonly MotionDetectorSettings settings;

    public MotionDetector(MotionDetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.settings = settings;
    }

    public MotionDetectorSettings Settings => settings;

    /// <summary>
    /// Detects motion in an encoded image (any format OpenCV reads; it is converted to grayscale), given the camera's
    /// model so far (<c>null</c> for a new camera). Throws <see cref="InvalidDetectFrameException"/> for bad input.
    /// </summary>
    public MotionDetectionResult Detect(ReadOnlyMemory<byte> grayscaleImage, BackgroundModel? model)
    {
        using var gray = Decode(grayscaleImage.Span);
        return Detect(gray, model);
    }

    private MotionDetectionResult Detect(Mat gray, BackgroundModel? model)
    {
        var people = settings.DetectPeople ? PeopleDetector.Detect(gray) : [];
        if (model is null || model.Width != gray.Width || model.Height != gray.Height)
        {
            return new MotionDetectionResult([], people, BackgroundModel.Initialize(gray, settings.InitialVariance), WarmingUp: true, ModelReset: true);
        }

        var warmingUp = model.FramesSeen < settings.WarmupFrames;
        using var frame = new Mat();
        gray.ConvertTo(frame, MatType.CV_32FC1);
        using var mean = model.MeanToMat();
        using var variance = model.VarianceToMat();
        using var difference = new Mat();
        Cv2.Subtract(frame, mean, difference);
        using var squared = new Mat();
        Cv2.Multiply(difference, difference, squared);

        using var foreground = new Mat();
        using var rate = new Mat(gray.Rows, gray.Cols, MatType.CV_32FC1);
        if (warmingUp)
        {
            // Averaging the first frames (rate 1/n) converges in WarmupFrames instead of ~1/LearningRate frames.
            rate.SetTo(new Scalar(Math.Max(settings.LearningRate, 1.0 / (model.FramesSeen + 1))));
        }
        else
        {
            // Foreground test: (frame - mean)² > k² · max(variance, floor).
            using var limit = new Mat();
            Cv2.Max(variance, settings.MinVariance, limit);
            Cv2.Multiply(limit, new Scalar(settings.Threshold * settings.Threshold), limit);
            Cv2.Compare(squared, limit, foreground, CmpTypes.GT);
            rate.SetTo(new Scalar(settings.LearningRate));
            rate.SetTo(new Scalar(settings.ForegroundLearningRate), foreground);
        }

        // mean += rate·d ; variance += rate·(d² − variance)  (d against the old mean, as in a running Gaussian)
        using var step = new Mat();
        Cv2.Multiply(rate, difference, step);
        Cv2.Add(mean, step, mean);
        Cv2.Subtract(squared, variance, step);
        Cv2.Multiply(rate, step, step);
        Cv2.Add(variance, step, variance);
        var updated = BackgroundModel.FromMats(mean, variance, model.FramesSeen == long.MaxValue ? long.MaxValue : model.FramesSeen + 1);

        var detections = warmingUp ? [] : FindObjects(foreground);
        return new MotionDetectionResult(detections, people, updated, warmingUp, ModelReset: false);
    }

    private List<Detection> FindObjects(Mat foreground)
    {
        if (settings.OpenKernel > 0)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(settings.OpenKernel, settings.OpenKernel));
            Cv2.MorphologyEx(foreground, foreground, MorphTypes.Open, kernel);
        }

        if (settings.CloseKernel > 0)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(settings.CloseKernel, settings.CloseKernel));
            Cv2.MorphologyEx(foreground, foreground, MorphTypes.Close, kernel);
        }

        Cv2.FindContours(foreground, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var detections = new List<Detection>(contours.Length);
        foreach (var contour in contours)
        {
            var rect = Cv2.BoundingRect(contour);
            if ((long)rect.Width * rect.Height < settings.MinArea)
            {
                continue;
            }

            using var region = new Mat(foreground, rect);
            var pixels = Cv2.CountNonZero(region);
            if (pixels >= settings.MinArea)
            {
                detections.Add(new Detection(new BoundingBox(rect.X, rect.Y, rect.Width, rect.Height), pixels));
            }
        }

        // Largest first; position breaks ties so the order never depends on contour traversal.
        detections.Sort(static (a, b) =>
        {
            var byArea = b.Area.CompareTo(a.Area);
            return byArea != 0 ? byArea : (a.Box.Y, a.Box.X).CompareTo((b.Box.Y, b.Box.X));
        });
        if (detections.Count > settings.MaxDetections)
        {
            detections.RemoveRange(settings.MaxDetections, detections.Count - settings.MaxDetections);
        }

        return detections;
    }

    private Mat Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new InvalidDetectFrameException("Frame is empty (0 bytes).");
        }

        if (data.Length > settings.MaxFrameBytes)
        {
            throw new InvalidDetectFrameException($"Frame is {data.Length} bytes, over the limit of {settings.MaxFrameBytes} bytes.");
        }

        Mat gray;
        try
        {
            gray = Cv2.ImDecode(data, ImreadModes.Grayscale);
        }
        catch (OpenCVException e)
        {
            throw new InvalidDetectFrameException($"Frame could not be decoded: {e.ErrMsg}", e);
        }

        if (gray.Empty())
        {
            gray.Dispose();
            throw new InvalidDetectFrameException($"Frame ({data.Length} bytes) is not a decodable image.");
        }

        if (gray.Width > BackgroundModel.MaxDimension || gray.Height > BackgroundModel.MaxDimension)
        {
            var size = $"{gray.Width}x{gray.Height}";
            gray.Dispose();
            throw new InvalidDetectFrameException(
                $"Frame is {size}, over the limit of {BackgroundModel.MaxDimension} pixels per side; detect expects a preprocessed frame.");
        }

        return gray;
    }
}
