#include "store/ussd_dialogs.hpp"

#include "store/encoding.hpp"

namespace mfigw::store {

// v1: version, msisdn, dialogId u64, session, channel, sessionKey, serviceCode (str),
// startedAt, lastActivityAt (i64), resumeOffered (bool), lastPage (str).
std::string UssdDialogCodec::encodeValue(const UssdDialog& d) {
  return Encoder(64 + d.msisdn.size() + d.session.size() + d.channel.size() + d.sessionKey.size() +
                 d.serviceCode.size() + d.lastPage.size())
      .version(kVersion)
      .str(d.msisdn)
      .u64(d.dialogId)
      .str(d.session)
      .str(d.channel)
      .str(d.sessionKey)
      .str(d.serviceCode)
      .i64(d.startedAt)
      .i64(d.lastActivityAt)
      .boolean(d.resumeOffered)
      .str(d.lastPage)
      .take();
}

UssdDialog UssdDialogCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  UssdDialog d;
  d.msisdn = in.str();
  d.dialogId = in.u64();
  d.session = in.str();
  d.channel = in.str();
  d.sessionKey = in.str();
  d.serviceCode = in.str();
  d.startedAt = in.i64();
  d.lastActivityAt = in.i64();
  d.resumeOffered = in.boolean();
  d.lastPage = in.str();
  in.expectEnd();
  return d;
}

}  // namespace mfigw::store
