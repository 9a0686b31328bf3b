#include "ColourChooser.h"

#include <QButtonGroup>
#include <QConicalGradient>
#include <QCoreApplication>
#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QRadioButton>
#include <QVBoxLayout>

#include <algorithm>
#include <array>

namespace lookbook {

namespace {

constexpr int kDisc = 20;           // the swatch's diameter
constexpr qreal kRingWidth = 2.0;   // focus / choice ring around it
constexpr int kRingGap = 2;         // between the disc and the ring
constexpr int kCell = kDisc + 2 * (kRingGap + int(kRingWidth));
constexpr int kColumns = 6;         // two rows of six fit the narrowest query pane
constexpr int kSwatchSpacing = 4;
constexpr qreal kDisabledOpacity = 0.4;
constexpr qreal kEdgeMix = 0.7;     // of the background in the disc's outline: white on white shows
constexpr qreal kHoverMix = 0.5;
constexpr qreal kMutedMix = 0.4;    // of the background in secondary text
constexpr int kLightSwatch = 160;   // a check mark on a lighter swatch is dark
constexpr qreal kAnySaturation = 0.55;
constexpr qreal kAnyValue = 0.95;
constexpr int kAnyHues = 6;
constexpr int kAnyFirstHueAngle = 90; // red at the top

struct Family {
    const char *name;  // GarmentColour::basicNames()
    QRgb swatch;
    const char *label; // for the user
};
// Neutrals, then round the hue circle: the order a stylist scans a colour card in.
constexpr std::array<Family, 11> kFamilies{{
    {"black", 0x222222, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "black")},
    {"grey", 0x8e8e8e, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "grey")},
    {"white", 0xfafafa, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "white")},
    {"brown", 0x8b5a33, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "brown")},
    {"red", 0xd32f2f, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "red")},
    {"orange", 0xf57c1f, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "orange")},
    {"yellow", 0xf4cc2f, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "yellow")},
    {"green", 0x3b9a4a, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "green")},
    {"blue", 0x2d6cdf, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "blue")},
    {"purple", 0x8646c2, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "purple")},
    {"pink", 0xee82b4, QT_TRANSLATE_NOOP("lookbook::ColourChooser", "pink")},
}};

const Family *familyNamed(const QString &name)
{
    const auto found = std::find_if(kFamilies.begin(), kFamilies.end(),
                                    [&](const Family &f) { return name.compare(QLatin1String(f.name), Qt::CaseInsensitive) == 0; });
    return found == kFamilies.end() ? nullptr : &*found;
}

// Between two palette colours, so that light and dark themes both work.
QColor between(const QColor &a, const QColor &b, qreal towardB)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * towardB), float(a.greenF() + (b.greenF() - a.greenF()) * towardB),
                            float(a.blueF() + (b.blueF() - a.blueF()) * towardB));
}

QString capitalised(QString text)
{
    if (!text.isEmpty()) text[0] = text[0].toUpper();
    return text;
}

// One round swatch. A radio button, so that assistive tools announce it as one of a set and
// the arrow keys move between the set's buttons; painted here rather than by the style.
class ColourSwatch : public QRadioButton {
public:
    ColourSwatch(const QString &family, QWidget *parent) : QRadioButton(parent), m_family(family)
    {
        setAttribute(Qt::WA_Hover); // repainted as the pointer comes and goes
        setCursor(Qt::PointingHandCursor);
        setFixedSize(kCell, kCell);
    }
    QSize sizeHint() const override { return {kCell, kCell}; }
    QSize minimumSizeHint() const override { return sizeHint(); }

protected:
    bool hitButton(const QPoint &pos) const override { return rect().contains(pos); }
    void paintEvent(QPaintEvent *) override;

private:
    QBrush fill(const QPointF &centre) const;
    void drawCheck(QPainter &painter, const QPointF &centre) const;
    QString m_family; // empty: any colour
};

QBrush ColourSwatch::fill(const QPointF &centre) const
{
    if (const Family *family = familyNamed(m_family)) return QColor::fromRgb(family->swatch);
    // Any colour: the hue circle, softened so that it does not read as "multicoloured".
    QConicalGradient wheel(centre, kAnyFirstHueAngle);
    for (int i = 0; i <= kAnyHues; ++i)
        wheel.setColorAt(qreal(i) / kAnyHues, QColor::fromHsvF(float(i % kAnyHues) / kAnyHues, kAnySaturation, kAnyValue));
    return wheel;
}

void ColourSwatch::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &colours = palette();
    const QColor text = colours.color(QPalette::WindowText);
    const QColor background = colours.color(QPalette::Window);
    const QPointF centre = QRectF(rect()).center();

    // The ring: keyboard focus first (the Highlight colour; not after a click, as the styles
    // draw focus), then the choice, then the pointer.
    QColor ring;
    if (hasFocus() && window()->testAttribute(Qt::WA_KeyboardFocusChange)) ring = colours.color(QPalette::Highlight);
    else if (isChecked()) ring = isEnabled() ? text : between(text, background, kHoverMix);
    else if (underMouse() && isEnabled()) ring = between(text, background, kHoverMix);
    if (ring.isValid()) {
        const qreal radius = (kCell - kRingWidth) / 2;
        painter.setPen(QPen(ring, kRingWidth));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(centre, radius, radius);
    }

    // Disabled: the colour faded, its outline kept, so that even the white swatch still shows.
    const qreal radius = kDisc / 2.0 - 0.5;
    painter.setOpacity(isEnabled() ? 1.0 : kDisabledOpacity);
    painter.setPen(Qt::NoPen);
    painter.setBrush(fill(centre));
    painter.drawEllipse(centre, radius, radius);
    if (isChecked()) drawCheck(painter, centre);
    painter.setOpacity(1.0);
    painter.setPen(QPen(between(text, background, kEdgeMix), 1.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawEllipse(centre, radius, radius);
}

void ColourSwatch::drawCheck(QPainter &painter, const QPointF &centre) const
{
    // A check mark as well as the ring: the choice must not be told by colour alone.
    const Family *family = familyNamed(m_family);
    const bool lightSwatch = family && QColor::fromRgb(family->swatch).lightness() > kLightSwatch;
    const QColor mark = lightSwatch ? QColor(0x20, 0x20, 0x20) : QColor(Qt::white);
    const QColor halo = lightSwatch ? QColor(255, 255, 255, 140) : QColor(0, 0, 0, 110);
    const qreal r = kDisc / 2.0;
    QPainterPath check;
    check.moveTo(centre + QPointF(-0.42 * r, 0.02 * r));
    check.lineTo(centre + QPointF(-0.12 * r, 0.32 * r));
    check.lineTo(centre + QPointF(0.42 * r, -0.3 * r));
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(halo, 3.6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(check);
    painter.setPen(QPen(mark, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(check);
}

} // namespace

ColourChooser::ColourChooser(QWidget *parent)
    : QWidget(parent), m_group(new QButtonGroup(this)), m_value(new QLabel(this)), m_note(new QLabel(this))
{
    setAccessibleName(tr("Colour of the results"));

    auto *heading = new QLabel(tr("Colour"), this);
    QFont bold = heading->font();
    bold.setWeight(QFont::DemiBold);
    heading->setFont(bold);
    m_value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_value->setObjectName(QStringLiteral("colourValue"));
    m_note->setWordWrap(true);
    m_note->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_note->setObjectName(QStringLiteral("colourNote"));
    updateColours();

    // The heading and the swatches make one block as wide as the swatches, centred like
    // the picture above it.
    auto *block = new QWidget(this);
    auto *grid = new QGridLayout(block);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(kSwatchSpacing);
    grid->addWidget(heading, 0, 0, 1, kColumns / 2);
    grid->addWidget(m_value, 0, kColumns / 2, 1, kColumns - kColumns / 2);
    QStringList all{QString()};
    all << families();
    for (int i = 0; i < all.size(); ++i) {
        auto *swatch = new ColourSwatch(all[i], block);
        swatch->setObjectName(QStringLiteral("swatch-%1").arg(all[i].isEmpty() ? QStringLiteral("any") : all[i]));
        swatch->setAccessibleName(all[i].isEmpty() ? tr("Results in any colour") : tr("Results in %1").arg(displayName(all[i])));
        swatch->setProperty("colour", all[i]);
        m_group->addButton(swatch, i);
        grid->addWidget(swatch, 1 + i / kColumns, i % kColumns);
    }
    m_group->setExclusive(true);
    connect(m_group, &QButtonGroup::buttonClicked, this, [this](QAbstractButton *button) {
        const QString chosen = button->property("colour").toString();
        if (chosen == m_colour) return;
        m_colour = chosen;
        updateTexts();
        emit colourChosen(chosen);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(kSwatchSpacing);
    layout->addWidget(block, 0, Qt::AlignHCenter);
    layout->addWidget(m_note);
    setColour(QString());
    setAvailability({}, tr("Colours can be chosen once the catalog is open."));
}

const QStringList &ColourChooser::families()
{
    static const QStringList names = [] {
        QStringList list;
        for (const Family &f : kFamilies) list << QLatin1String(f.name);
        return list;
    }();
    return names;
}

QString ColourChooser::displayName(const QString &colour)
{
    const Family *family = familyNamed(colour);
    return family ? tr(family->label) : colour;
}

QString ColourChooser::titleName(const QString &colour)
{
    return colour.isEmpty() ? tr("Any colour") : capitalised(displayName(colour));
}

QString ColourChooser::tooltipFor(const QString &colour)
{
    if (colour.isEmpty())
        return tr("Results in any colour: colours like the query's come first.\nA new picture always starts here.");
    return tr("Results in %1, by the colour of the garment in the photo.\n"
              "A new picture starts again with any colour; “Search with This” keeps %1.")
        .arg(displayName(colour));
}

void ColourChooser::setAvailability(const QStringList &choices, const QString &reason)
{
    m_reason = reason;
    for (QAbstractButton *button : m_group->buttons()) {
        const QString colour = button->property("colour").toString();
        const bool offered = colour.isEmpty() || choices.contains(colour, Qt::CaseInsensitive);
        button->setEnabled(reason.isEmpty() && offered);
        button->setToolTip(!reason.isEmpty() ? reason : offered ? tooltipFor(colour) : tr("The catalog has no garment in %1.").arg(displayName(colour)));
    }
    updateTexts();
}

void ColourChooser::setColour(const QString &colour)
{
    m_colour = colour;
    QAbstractButton *button = swatch(colour);
    if (button) {
        button->setChecked(true);
    } else if (QAbstractButton *checked = m_group->checkedButton()) {
        // A colour without a swatch (a catalog colour asked for elsewhere): none is checked.
        m_group->setExclusive(false);
        checked->setChecked(false);
        m_group->setExclusive(true);
    }
    updateTexts();
}

QAbstractButton *ColourChooser::swatch(const QString &colour) const
{
    for (QAbstractButton *button : m_group->buttons())
        if (button->property("colour").toString().compare(colour, Qt::CaseInsensitive) == 0) return button;
    return nullptr;
}

void ColourChooser::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) updateColours(); // a light or dark theme chosen
}

void ColourChooser::updateColours()
{
    const QColor muted = between(palette().color(QPalette::WindowText), palette().color(QPalette::Window), kMutedMix);
    for (QLabel *label : {m_value, m_note}) {
        QPalette colours = label->palette();
        colours.setColor(QPalette::WindowText, muted);
        label->setPalette(colours);
    }
}

void ColourChooser::updateTexts()
{
    m_value->setText(titleName(m_colour));
    m_note->setText(m_reason);
    m_note->setVisible(!m_reason.isEmpty());
    setToolTip(m_reason);
}

} // namespace lookbook
