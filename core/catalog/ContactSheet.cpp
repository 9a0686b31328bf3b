#include "ContactSheet.h"

#include "ImageLoader.h"

#include <QFileInfo>
#include <QStringList>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace lookbook {

namespace {

// BGR.
const cv::Scalar kPage(246, 246, 246);
const cv::Scalar kCard(255, 255, 255);
const cv::Scalar kCardBorder(218, 218, 218);
const cv::Scalar kAccent(150, 90, 30);        // the query's card and label: a dark blue
const cv::Scalar kInk(38, 38, 38);
const cv::Scalar kMutedInk(112, 112, 112);
const cv::Scalar kPlaceholder(236, 236, 236);

struct Font {
    int face;
    double scale;
    int thickness;
};
const Font kTitleFont{cv::FONT_HERSHEY_DUPLEX, 0.72, 1};
const Font kSubtitleFont{cv::FONT_HERSHEY_SIMPLEX, 0.48, 1};
const Font kStrongFont{cv::FONT_HERSHEY_DUPLEX, 0.48, 1};
const Font kBodyFont{cv::FONT_HERSHEY_SIMPLEX, 0.43, 1};

constexpr int kQueryBorder = 2;
constexpr int kLineHeight = 18;      // caption lines, baseline to baseline
constexpr int kFirstBaseline = 23;   // from the top of the caption area
constexpr int kTitleBaseline = 24;   // from the top of the header
constexpr int kSubtitleBaseline = 50;
constexpr qsizetype kMaxTextChars = 200; // a hostile label cannot make eliding slow
const std::string kEllipsis = "...";

// What Hershey fonts can draw: accents dropped (NFKD, then the combining marks left out),
// control characters as spaces, anything else outside ASCII as one '?' per character.
std::string ascii(const QString &text)
{
    const QString decomposed = text.left(kMaxTextChars).normalized(QString::NormalizationForm_KD);
    std::string out;
    out.reserve(size_t(decomposed.size()));
    for (const QChar c : decomposed) {
        const char16_t u = c.unicode();
        if (c.category() == QChar::Mark_NonSpacing || c.isLowSurrogate()) continue;
        if (u < 0x20 || u == 0x7f) out += ' ';
        else if (u < 0x7f) out += char(u);
        else out += '?';
    }
    return out;
}

int textWidth(const std::string &text, const Font &font)
{
    int baseline = 0;
    return cv::getTextSize(text, font.face, font.scale, font.thickness, &baseline).width;
}

// The text shortened with "..." to fit `width`: at its end, or in its middle for file names,
// whose start and suffix both matter.
std::string elide(const std::string &text, int width, const Font &font, bool middle = false)
{
    if (textWidth(text, font) <= width) return text;
    for (size_t keep = text.size(); keep-- > 0;) {
        const std::string candidate = middle ? text.substr(0, (keep + 1) / 2) + kEllipsis + text.substr(text.size() - keep / 2)
                                             : text.substr(0, keep) + kEllipsis;
        if (textWidth(candidate, font) <= width) return candidate;
    }
    return {};
}

// Greedy word wrap into at most `maxLines` lines of `width`; the last one elided.
std::vector<std::string> wrap(const std::string &text, int width, const Font &font, int maxLines)
{
    std::vector<std::string> lines;
    std::string line;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(start, end - start);
        start = end + 1;
        if (word.empty()) continue;
        const std::string joined = line.empty() ? word : line + ' ' + word;
        if (line.empty() || textWidth(joined, font) <= width) {
            line = joined;
            continue;
        }
        lines.push_back(line);
        line = word;
    }
    if (!line.empty()) lines.push_back(line);
    if (int(lines.size()) > maxLines) {
        lines.resize(size_t(maxLines));
        lines.back() += kEllipsis; // elided below: the reason goes on
    }
    for (std::string &l : lines) l = elide(l, width, font);
    return lines;
}

void draw(cv::Mat &sheet, const std::string &text, cv::Point baseline, const Font &font, const cv::Scalar &colour)
{
    cv::putText(sheet, text, baseline, font.face, font.scale, colour, font.thickness, cv::LINE_AA);
}

// The photo fitted into the box, aspect kept, centred on white.
// Draws `photo` fitted into `box` and gives where it went: its top-left in the box and its scale.
struct Placement {
    cv::Point origin;
    double scale = 1;
};
Placement fitInto(cv::Mat box, const cv::Mat &photo)
{
    const double scale = std::min(double(box.cols) / photo.cols, double(box.rows) / photo.rows);
    const int w = std::clamp(int(std::lround(photo.cols * scale)), 1, box.cols);
    const int h = std::clamp(int(std::lround(photo.rows * scale)), 1, box.rows);
    cv::Mat scaled;
    // Area averaging does not alias when shrinking; cubic keeps small catalog photos crisp.
    cv::resize(photo, scaled, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    const cv::Point origin((box.cols - w) / 2, (box.rows - h) / 2);
    scaled.copyTo(box(cv::Rect(origin, cv::Size(w, h))));
    return {origin, scale};
}

// Where the photo should be, when it could not be read: a grey box that says why.
void drawPlaceholder(cv::Mat &sheet, const cv::Rect &box, const QString &reason)
{
    sheet(box).setTo(kPlaceholder);
    constexpr int kInset = 12;
    const int width = box.width - 2 * kInset;
    const std::vector<std::string> lines = wrap(ascii(reason), width, kBodyFont, 5);
    const int top = box.y + box.height / 2 - int(lines.size() + 1) * kLineHeight / 2;
    const std::string title = "image unavailable";
    draw(sheet, title, {box.x + (box.width - textWidth(title, kStrongFont)) / 2, top + kLineHeight / 2}, kStrongFont, kInk);
    for (size_t i = 0; i < lines.size(); ++i)
        draw(sheet, lines[i], {box.x + (box.width - textWidth(lines[i], kBodyFont)) / 2, top + kLineHeight / 2 + int(i + 1) * kLineHeight},
             kBodyFont, kMutedInk);
}

struct Caption {
    std::string left;   // first line, strong: "#1" or "QUERY"
    std::string right;  // first line, right-aligned: the score
    std::string middle; // "Tshirts / Navy Blue"
    std::string bottom; // the file name
    bool query = false;
    QRect region; // outlined on the photo (its pixels); null for none
};

Expected<cv::Mat> loadPhoto(const QString &path)
{
    if (path.isEmpty()) return Expected<cv::Mat>::failure(QStringLiteral("no file"));
    return ImageLoader().loadFile(path);
}

QString labelLine(const ResultItem &item)
{
    QStringList parts;
    for (const QString &column : {QStringLiteral("articleType"), QStringLiteral("baseColour")})
        if (const QString v = item.labels.value(column).simplified(); !v.isEmpty()) parts << v;
    return parts.join(QStringLiteral(" / "));
}

// The header: what was searched for, and where.
void drawHeader(cv::Mat &sheet, const ContactSheetLayout &l, const SearchOutcome &outcome, int shown)
{
    const int total = int(outcome.results.size());
    const int innerWidth = sheet.cols - 2 * l.margin;
    // A file's name, not its whole path: the path would crowd out the title.
    const QString queryName = outcome.queryPath.isEmpty() || outcome.queryPictures != 1
                                  ? outcome.queryName : QFileInfo(outcome.queryPath).fileName();
    const std::string title = elide(ascii(QStringLiteral("Most similar to %1").arg(queryName)), innerWidth, kTitleFont);
    draw(sheet, title, {l.margin, l.margin + kTitleBaseline}, kTitleFont, kInk);
    const QString catalog = QFileInfo(outcome.catalogRoot).fileName();
    QString subtitle = shown < total ? QStringLiteral("The first %1 of %2 results").arg(shown).arg(total)
                                     : QStringLiteral("%1 result%2").arg(total).arg(total == 1 ? QString() : QStringLiteral("s"));
    if (!catalog.isEmpty()) subtitle += QStringLiteral(" from the catalog %1").arg(catalog);
    if (outcome.catalogItems > 0) subtitle += QStringLiteral(" (%1 items searched)").arg(outcome.catalogItems);
    if (!outcome.filterDescription.isEmpty())
        subtitle += QStringLiteral("; only %1 (%2 items)").arg(outcome.filterDescription).arg(outcome.allowedItems);
    if (total > 0) subtitle += QStringLiteral("; score: cosine similarity, 1 = identical");
    draw(sheet, elide(ascii(subtitle), innerWidth, kSubtitleFont), {l.margin, l.margin + kSubtitleBaseline}, kSubtitleFont,
         kMutedInk);
}

// The photo fitted into its box, the caption's region outlined on it; or the placeholder.
void drawPhoto(cv::Mat &sheet, const cv::Rect &box, const Expected<cv::Mat> &photo, const QRect &region)
{
    if (!photo) {
        drawPlaceholder(sheet, box, photo.error());
        return;
    }
    const Placement placed = fitInto(sheet(box), *photo);
    if (region.isNull()) return;
    const auto at = [&](int x, int y) {
        return box.tl() + placed.origin + cv::Point(int(std::lround(x * placed.scale)), int(std::lround(y * placed.scale)));
    };
    cv::rectangle(sheet, cv::Rect(at(region.left(), region.top()), at(region.left() + region.width(), region.top() + region.height())) & box,
                  kAccent, kQueryBorder, cv::LINE_8);
}

// The caption's three lines under the photo's box.
void drawCaption(cv::Mat &sheet, const cv::Rect &box, int width, const Caption &caption)
{
    const int x = box.x;
    const int top = box.y + box.height;
    const cv::Scalar &strong = caption.query ? kAccent : kInk;
    draw(sheet, caption.left, {x, top + kFirstBaseline}, kStrongFont, strong);
    draw(sheet, caption.right, {x + width - textWidth(caption.right, kStrongFont), top + kFirstBaseline},
         kStrongFont, strong);
    draw(sheet, elide(caption.middle, width, kBodyFont), {x, top + kFirstBaseline + kLineHeight}, kBodyFont,
         kInk);
    draw(sheet, elide(caption.bottom, width, kBodyFont, true), {x, top + kFirstBaseline + 2 * kLineHeight},
         kBodyFont, kMutedInk);
}

// Card `index` of the grid (the query's first): its frame, photo and caption.
void drawCard(cv::Mat &sheet, const ContactSheetLayout &l, int index, const Expected<cv::Mat> &photo, const Caption &caption)
{
    const int perRow = std::max(1, l.columns);
    const cv::Point origin(l.margin + (index % perRow) * (l.tileWidth() + l.gap),
                           l.margin + l.headerHeight + (index / perRow) * (l.tileHeight() + l.gap));
    const cv::Rect card(origin, cv::Size(l.tileWidth(), l.tileHeight()));
    sheet(card).setTo(kCard);
    if (caption.query)
        cv::rectangle(sheet, card, kAccent, kQueryBorder, cv::LINE_8);
    else
        cv::rectangle(sheet, card, kCardBorder, 1, cv::LINE_8);

    const cv::Rect box(origin.x + l.padding, origin.y + l.padding, l.imageWidth, l.imageHeight);
    drawPhoto(sheet, box, photo, caption.region);
    drawCaption(sheet, box, l.imageWidth, caption);
}

Caption queryCaption(const SearchOutcome &outcome)
{
    Caption caption;
    caption.left = "QUERY";
    caption.middle = !outcome.queryRegion.isNull() ? "the outlined part"
                     : outcome.queryInCatalog      ? "from the catalog"
                                                   : "outside the catalog";
    caption.region = outcome.queryRegion;
    caption.bottom = ascii(outcome.queryPath.isEmpty() ? outcome.queryName : QFileInfo(outcome.queryPath).fileName());
    caption.query = true;
    return caption;
}

// The caption of the result at `rank` (0 for the best).
Caption resultCaption(const ResultItem &item, int rank)
{
    Caption caption;
    caption.left = QStringLiteral("#%1").arg(rank + 1).toStdString();
    caption.right = QString::number(double(item.score), 'f', 3).toStdString();
    caption.middle = ascii(labelLine(item));
    caption.bottom = ascii(QFileInfo(item.relativePath.isEmpty() ? item.absolutePath : item.relativePath).fileName());
    return caption;
}

} // namespace

cv::Size ContactSheet::sheetSize(int cards) const
{
    const ContactSheetLayout &l = m_layout;
    const int perRow = std::max(1, l.columns);
    const int columns = std::clamp(cards, 1, perRow);
    const int rows = (std::max(0, cards) + perRow - 1) / perRow;
    return {2 * l.margin + columns * l.tileWidth() + (columns - 1) * l.gap,
            2 * l.margin + l.headerHeight + rows * l.tileHeight() + std::max(0, rows - 1) * l.gap};
}

cv::Mat ContactSheet::render(const SearchOutcome &outcome) const
{
    const ContactSheetLayout &l = m_layout;
    const int total = int(outcome.results.size());
    const int shown = std::min(total, std::max(0, l.maxResults));
    const bool withQuery = !outcome.queryPath.isEmpty() || !outcome.queryImage.isEmpty();
    const int cards = shown + (withQuery ? 1 : 0);
    cv::Mat sheet(sheetSize(cards), CV_8UC3, kPage);
    drawHeader(sheet, l, outcome, shown);

    int index = 0;
    if (withQuery)
        drawCard(sheet, l, index++,
                 outcome.queryPath.isEmpty() ? ImageLoader().decode(outcome.queryImage) : loadPhoto(outcome.queryPath),
                 queryCaption(outcome));
    for (int i = 0; i < shown; ++i) {
        const ResultItem &item = outcome.results[size_t(i)];
        drawCard(sheet, l, index++, loadPhoto(item.absolutePath), resultCaption(item, i));
    }
    return sheet;
}

Expected<QByteArray> ContactSheet::png(const SearchOutcome &outcome) const
{
    try {
        const cv::Mat sheet = render(outcome);
        std::vector<uchar> encoded;
        constexpr int kCompression = 6; // zlib's default: most of the size gain, a fraction of level 9's time
        if (!cv::imencode(".png", sheet, encoded, {cv::IMWRITE_PNG_COMPRESSION, kCompression}))
            return Expected<QByteArray>::failure(QStringLiteral("the PNG encoder refused the contact sheet"));
        return QByteArray(reinterpret_cast<const char *>(encoded.data()), qsizetype(encoded.size()));
    } catch (const cv::Exception &e) {
        // Only a sheet too large for memory gets here: its size is bounded by maxResults.
        return Expected<QByteArray>::failure(
            QStringLiteral("cannot draw the contact sheet: %1").arg(QString::fromUtf8(e.what()).simplified()));
    }
}

} // namespace lookbook
